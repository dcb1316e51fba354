"""Edits, undo, redo, save and load in any order: the drawn points always equal the point set, and the
point set always equals a plain list kept beside it."""

import numpy as np
import pyqtgraph as pg
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from gdplay.core import session as S
from gdplay.core.points import Delete, Insert, Move
from gdplay.core.regression import RegressionParams
from gdplay.ui.widgets.point_editor import EditableViewBox, PointEditor

coord = st.floats(-1e6, 1e6, allow_nan=False, allow_subnormal=False)


class EditSaveLoad(RuleBasedStateMachine):
    @initialize()
    def start(self):
        self.plot = pg.PlotItem(viewBox=EditableViewBox())
        self.scene = pg.GraphicsScene()
        self.scene.addItem(self.plot)
        self.editor = PointEditor(self.plot, n_classes=2, colors=("#1f77b4", "#ff7f0e"))
        self.model: list[tuple[float, float, int]] = []
        self.history: list[list] = []  # model before each edit, for undo
        self.future: list[list] = []
        self.saved: tuple[str, list] | None = None

    def _edit(self, cmd, after):
        self.history.append(list(self.model))
        self.future.clear()
        self.editor.push(cmd)
        self.model = after

    @rule(x=coord, y=coord, label=st.integers(0, 1), where=st.floats(0, 1))
    def add(self, x, y, label, where):
        i = round(where * len(self.model))
        self._edit(Insert(i, (x, y), label), [*self.model[:i], (x, y, label), *self.model[i:]])

    @precondition(lambda self: self.model)
    @rule(where=st.floats(0, 1))
    def delete(self, where):
        i = min(int(where * len(self.model)), len(self.model) - 1)
        self._edit(Delete(i), self.model[:i] + self.model[i + 1:])

    @precondition(lambda self: self.model)
    @rule(where=st.floats(0, 1), x=coord, y=coord)
    def move(self, where, x, y):
        i = min(int(where * len(self.model)), len(self.model) - 1)
        after = list(self.model)
        after[i] = (x, y, after[i][2])
        self._edit(Move(i, (x, y)), after)

    @rule()
    def clear(self):
        if not self.model:  # clearing nothing is no edit (nothing to undo, redo kept)
            self.editor.clear()
            return
        self.history.append(list(self.model))
        self.future.clear()
        self.editor.clear()
        self.model = []

    @rule()
    def undo(self):
        self.editor.undo()
        if self.history:
            self.future.append(self.model)
            self.model = self.history.pop()

    @rule()
    def redo(self):
        self.editor.redo()
        if self.future:
            self.history.append(self.model)
            self.model = self.future.pop()

    @rule()
    def save(self):
        pts = self.editor.points
        tab = S.TabState(RegressionParams(), pts.xy, pts.labels)
        self.saved = (S.to_json(S.Session({"regression": tab})), list(self.model))

    @precondition(lambda self: self.saved is not None)
    @rule()
    def load(self):
        text, model = self.saved

        def parse(what, obj):
            xy, labels = S.points_from_json(obj["points"], what)
            return S.TabState(None, xy, labels)

        tab = S.parse_session(S.parse_document(text.encode()), {"regression": parse}).tabs["regression"]
        self.history.append(list(self.model))
        self.future.clear()
        self.editor.replace(tab.xy, tab.labels, "Open session")
        self.model = list(model)

    @invariant()
    def view_equals_model(self):
        pts = self.editor.points
        expected = np.array([(x, y) for x, y, _ in self.model], dtype=float).reshape(-1, 2)
        assert pts.xy.tobytes() == expected.tobytes()
        assert pts.labels.tolist() == [c for _, _, c in self.model]
        drawn = self.editor.scatter.data
        assert np.array_equal(np.column_stack([drawn["x"], drawn["y"]]).reshape(-1, 2), expected)


EditSaveLoad.TestCase.settings = settings(max_examples=40, stateful_step_count=25, deadline=None)


def test_edits_undo_save_load(qtbot):
    EditSaveLoad.TestCase().runTest()

"""PacedDraw (gdplay.ui.plots.paced): the newest data drawn, in a turn of its own, less often when a draw
and its paint cost more."""

from PySide6.QtWidgets import QWidget

from gdplay.ui.plots.paced import PacedDraw


def test_requests_are_drawn_later_newest_first_and_once(qtbot):
    drawn = []
    paced = PacedDraw(drawn.append)
    paced.request(1)
    paced.request(2)
    paced.request(3)
    assert drawn == [] and paced.pending  # not in the turn that asked
    qtbot.waitUntil(lambda: drawn == [3], timeout=2000)
    assert not paced.pending
    qtbot.wait(50)
    assert drawn == [3]  # one draw for the three requests


def test_a_costly_plot_is_drawn_less_often_and_the_last_request_still_shows(qtbot):
    slow = QWidget()
    slow.last_paint_s = 1.0  # as if its paint took a second
    drawn = []
    paced = PacedDraw(drawn.append, widgets=[slow], share=0.2)
    paced.request("a")
    qtbot.waitUntil(lambda: drawn == ["a"], timeout=2000)
    assert paced.interval >= 1.0 / 0.2  # it may take a fifth of the time: one draw in five seconds
    paced.request("b")
    qtbot.wait(300)
    assert drawn == ["a"] and paced.pending  # waits its turn...
    paced.flush()
    assert drawn == ["a", "b"]  # ...and draws the newest when it comes (here: now)


def test_a_cheap_plot_follows_every_request(qtbot):
    fast = QWidget()
    fast.last_paint_s = 0.0
    drawn = []
    paced = PacedDraw(drawn.append, widgets=[fast])
    for k in range(3):
        paced.request(k)
        qtbot.waitUntil(lambda k=k: drawn[-1:] == [k], timeout=2000)
    assert drawn == [0, 1, 2]
    paced.request(9)
    paced.cancel()
    qtbot.wait(50)
    assert drawn == [0, 1, 2] and not paced.pending


def test_numbers_are_not_redrawn_faster_than_they_can_be_read(qtbot):
    drawn = []
    paced = PacedDraw(drawn.append, min_interval_s=5.0)  # cheap, but at most one draw in 5 s
    paced.request(1)
    qtbot.waitUntil(lambda: drawn == [1], timeout=2000)
    assert paced.interval == 5.0
    paced.request(2)
    qtbot.wait(200)
    assert drawn == [1]
    paced.flush()  # at rest: the numbers where the run stopped, now
    assert drawn == [1, 2]

"""Trainers that misbehave on purpose. They live in an importable module because the trainer is pickled
by reference into its training process, which imports this module by name."""

import time

from gdplay.core.regression import RegressionTrainer


class BrokenTrainer(RegressionTrainer):
    """Raises at step ten."""

    def step(self, k):
        if self.n_iter_ >= 10:
            raise RuntimeError("boom at step ten")
        return super().step(min(k, 10 - self.n_iter_))


class SlowTrainer(RegressionTrainer):
    """Each call takes half a second and one step."""

    def step(self, k):
        time.sleep(0.5)
        return super().step(1)

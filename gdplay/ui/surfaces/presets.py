"""Ready-made experiments of the Surfaces tab: each sets the surface, every parameter, the speed and whether
the basins map shows, so a person presses Play and watches the point being made."""

from __future__ import annotations

from dataclasses import dataclass

from gdplay.core.surfaces import SurfaceParams


@dataclass(frozen=True)
class Preset:
    key: str
    title: str
    description: str
    params: SurfaceParams
    rate: float | None = 100.0  # steps per second; None = full speed
    basins: bool = False


# the sum of squared errors of y = a·sin(w·t) on (t, y) = (1, 0.6), (2, −0.96), (3, 0.94), (4, −0.54), which
# sin(2.5·t) gives to two decimals, over x = w and y = a
SINE_FIT = "(0.6 - y*sin(1*x))**2 + (-0.96 - y*sin(2*x))**2 + (0.94 - y*sin(3*x))**2 + (-0.54 - y*sin(4*x))**2"

PRESETS: tuple[Preset, ...] = (
    Preset("four-minima", "Four minima: where you start decides",
           "Himmelblau's function has four minima, all equally low. Gradient descent goes downhill from where it "
           "starts and stops at whichever minimum is below it: click anywhere on the map to start there and see "
           "which one it picks. The coloured map behind is the answer for every start at once (the basins of "
           "attraction): the borders run along the ridges through the saddles (×) and the maximum (▲).",
           SurfaceParams(surface="himmelblau", optimizer="gd", learning_rate=0.01, initial=(-0.3, -0.6),
                         max_steps=2000), rate=60.0, basins=True),
    Preset("banana", "Rosenbrock's banana: GD crawls",
           "A long, curved valley with its minimum at (1, 1). Gradient descent drops into the valley in a few "
           "steps and then crawls along its nearly flat floor; momentum and Nesterov build speed along it and "
           "arrive. Adam's step is about the learning rate whatever the slope, so at 0.001 it walks slowly too: "
           "raise the rate to 0.01 and gradient descent diverges at once while Adam arrives.",
           SurfaceParams(surface="rosenbrock", optimizer="gd", learning_rate=1e-3, initial=(-1.5, 2.0),
                         max_steps=4000, compare=("momentum", "nesterov", "adam")), rate=400.0),
    Preset("saddle-noise", "The saddle: stuck on the ridge, noise escapes",
           "x² − y² from (−1.8, 0), exactly on the ridge y = 0. Plain gradient descent (orange) has no reason to "
           "leave it: it slides into the saddle point and stops there, its gradient zero, though the surface "
           "falls away on both sides (the curvature readout says saddle). Gradient descent with a little noise "
           "(red) is nudged off the ridge and escapes. Start a hair off the ridge to see GD slow down near the "
           "saddle before it slides away.",
           SurfaceParams(surface="saddle", optimizer="gd", learning_rate=0.05, initial=(-1.8, 0.0), max_steps=400,
                         noise=0.05, compare=("gd",), seed=3), rate=30.0),
    Preset("rastrigin", "Rastrigin: stuck in the first dip, noise wanders lower",
           "A bowl covered in ripples, a local minimum near every whole-number point. Plain gradient descent "
           "(orange) stops in the first dip below the start. Noisy gradient descent (red: gradient plus Gaussian "
           "noise, σ = 100 shrinking to zero at the step limit) hops from dip to dip while the noise is large and "
           "settles, usually much lower, as it dies down: the idea behind simulated annealing and part of why "
           "stochastic gradients help. Change the seed for another walk.",
           SurfaceParams(surface="rastrigin", optimizer="gd", learning_rate=2e-3, initial=(3.2, 2.8),
                         max_steps=3000, noise=100.0, noise_schedule="annealed", compare=("gd",)), rate=300.0),
    Preset("lr-basins", "Learning rate and basins",
           "The four minima again with the basins map. Drag the learning rate slowly upwards and watch the map "
           "recompute: past 0.015 minimum C (bottom left) can no longer hold gradient descent, because the rate "
           "is past 2/λmax of its curvature (the marks under the slider): its basin turns white (the runs bounce "
           "for ever) or is shared out among the others. Past 0.019 minimum D goes too, past 0.024 A and B, and "
           "from the steep outer walls starts fly off (dark grey). The borders tear into fine stripes.",
           SurfaceParams(surface="himmelblau", optimizer="gd", learning_rate=0.01, initial=(-0.3, -0.6),
                         max_steps=2000), rate=100.0, basins=True),
    Preset("camel", "Six-hump camel: deep or shallow, GD keeps what it finds",
           "Six minima of three depths. From the right, gradient descent settles in the shallowest pair; "
           "momentum carries past it into the deepest pair. The basins map shows how much of the plane leads to "
           "each: switch the optimizer and watch the map change.",
           SurfaceParams(surface="camel", optimizer="gd", learning_rate=0.02, initial=(1.9, 0.9), max_steps=2000,
                         compare=("momentum",)), rate=60.0, basins=True),
    Preset("beale", "Beale: steep walls, flat plateau",
           "From (2, −2), on a steep wall (log colours: the terms in x·y³ grow fast), at learning rate 0.01. "
           "Gradient descent's first step is the rate times a huge gradient: it is thrown off and diverges at "
           "once. Adam and RMSProp divide each step by the gradient's recent size, so their steps stay near the "
           "learning rate on the wall and on the flat plateau alike, and they reach the minimum at (3, 0.5). "
           "Lower the rate to 0.001 and gradient descent survives, but crawls on the plateau.",
           SurfaceParams(surface="beale", optimizer="gd", learning_rate=0.01, initial=(2.0, -2.0), max_steps=5000,
                         compare=("adam", "rmsprop")), rate=400.0),
    Preset("sine-fit", "Local minima from data: fitting a·sin(w·t)",
           "Not a textbook function: the cost of fitting the model a·sin(w·t) to four points (t = 1, 2, 3, 4, "
           "made with w = 2.5, a = 1), the sum of squared errors over x = w (the frequency) and y = a (the "
           "amplitude). Unlike a line, this model is not linear in its parameters, and least squares is no "
           "longer a bowl: from w = 0.5 gradient descent settles at w ≈ 0.93 with a tiny amplitude, a wrong fit "
           "it cannot leave. The basins map shows which starts find the true w = 2.5; click one.",
           SurfaceParams(surface="formula", formula=SINE_FIT, optimizer="gd", learning_rate=0.03,
                         initial=(0.5, 0.5), max_steps=3000), rate=100.0, basins=True),
    Preset("formula", "Your own formula: a tilted double well",
           "(x² − 1)² + 0.3x + y²: two minima of different depth; from (2, 2) gradient descent takes the "
           "shallower one on the right. Type any formula in x and y in the Surface box "
           "(+ − * / ** and sin, cos, exp, log, sqrt, abs, tanh); its gradient and Hessian come from "
           "differentiating it symbolically, and its minima and saddles are found for you.",
           SurfaceParams(surface="formula", formula="(x**2 - 1)**2 + 0.3*x + y**2", optimizer="gd",
                         learning_rate=0.05, initial=(2.0, 2.0), max_steps=2000), rate=60.0, basins=True),
)


def preset(key: str) -> Preset:
    for p in PRESETS:
        if p.key == key:
            return p
    raise KeyError(key)

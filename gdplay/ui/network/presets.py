"""The Neural network tab's data presets and experiments, by the keys the window's --preset takes (Qt-free,
so that ``gdplay --help`` can list them without loading the widgets)."""

from __future__ import annotations

PRESETS = {  # name -> (label, default noise, default count, has a class count)
    "xor": ("XOR", 0.2, 200, False),
    "blobs": ("Blobs", 0.6, 200, True),
    "circles": ("Circles", 0.1, 200, False),
    "moons": ("Moons", 0.1, 200, False),
    "spiral": ("Spiral", 0.1, 300, True),
    "gaussian_pair": ("Two Gaussian blobs (SVM intro)", 0.5, 100, False),
}
PRESET_TIPS = {
    "xor": "XOR: opposite corners share a class. No single line separates them; one hidden layer can.",
    "blobs": "Round clusters, one per class (as many as Classes says): easy, nearly linear boundaries.",
    "circles": "A disc inside a ring: the boundary must be a closed curve (or give the network x₁² and x₂²).",
    "moons": "Two interleaving half circles: a curved boundary.",
    "spiral": "Arms of a spiral, one per class: hard; needs several layers or the sin inputs.",
    "gaussian_pair": "The two Gaussian clouds N([±5, ±5], σ²I) of the SVM intro's experiments; noise 0.5 gives its "
                     "σ² = 5.",
}
# experiments besides the data presets: the vanishing-gradient pair and the worked example
EXPERIMENTS = {"deep-sigmoid": "vanishing gradients: XOR through 5 sigmoid layers",
               "deep-relu": "the same network with ReLU",
               "worked": "backprop by hand: the two-neuron chain"}
KEYS = (*PRESETS, *EXPERIMENTS)

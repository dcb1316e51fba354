"""A small multilayer perceptron for 2-D classification, trained by hand-written backpropagation, and the
seed's worked two-neuron chain. The maths is in ``mlp``'s docstring.

The package, one job a module: ``params`` (NetworkParams, constants), ``mlp`` (the network's maths:
forward, backward, init, features, the gradient check), ``results`` (snapshot, pictures), ``trajectory``
(the weights along a run), ``trainer`` (NetworkTrainer: data, protocol), ``saved`` (a run exported and
imported for sessions and undo: a mixin of the trainer), ``views`` (the pictures as functions of a trainer,
for the window), ``data`` (data sets by name, the held-out split), ``chain_example`` (the worked example
and its trainer).
"""

from gdplay.core.network import views
from gdplay.core.network.chain_example import (
    CHAIN_EXAMPLE,
    ChainExample,
    ChainParams,
    ChainSnapshot,
    chain_error,
    chain_example_step,
)
from gdplay.core.network.data import DATASETS, held_out_mask, make_dataset
from gdplay.core.network.mlp import (
    MLP,
    Bound,
    Workspace,
    backward_gain_bounds,
    encode_targets,
    gradient_check,
    make_features,
)
from gdplay.core.network.params import (
    FEATURES,
    INITS,
    LOSSES,
    MAX_HIDDEN_LAYERS,
    MAX_UNITS,
    SATURATION_FRACTION,
    STATE_FORMAT,
    NetworkParams,
)
from gdplay.core.network.results import (
    DecisionMap,
    GradientCheck,
    GradientFlowReference,
    LossLandscape,
    NetworkSnapshot,
    NeuronMaps,
)
from gdplay.core.network.trainer import NetworkTrainer
from gdplay.core.network.trajectory import Trajectory

__all__ = [
    "CHAIN_EXAMPLE",
    "DATASETS",
    "FEATURES",
    "INITS",
    "LOSSES",
    "MAX_HIDDEN_LAYERS",
    "MAX_UNITS",
    "MLP",
    "SATURATION_FRACTION",
    "STATE_FORMAT",
    "Bound",
    "ChainExample",
    "ChainParams",
    "ChainSnapshot",
    "DecisionMap",
    "GradientCheck",
    "GradientFlowReference",
    "LossLandscape",
    "NetworkParams",
    "NetworkSnapshot",
    "NetworkTrainer",
    "NeuronMaps",
    "Trajectory",
    "Workspace",
    "backward_gain_bounds",
    "chain_error",
    "chain_example_step",
    "encode_targets",
    "gradient_check",
    "held_out_mask",
    "make_dataset",
    "make_features",
    "views",
]

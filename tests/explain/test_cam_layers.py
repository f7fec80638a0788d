"""The layer Grad-CAM and the filters use, on the models students actually write (issue 28): their own
residual blocks, plain ``nn.Sequential`` models inside fer-report's wrappers, torchvision's ResNet, and
activations other than ``nn.ReLU``."""

import pytest
import torch
import torchvision
from torch import nn

from fer_report.explain.attribution import gradcam
from fer_report.explain.layers import cam_layers, choose_layer, rectified, trace
from fer_report.explain.dataflow import residual_blocks
from fer_report.model.inference import Resized
from fer_report.model.network import Reordered
from fer_report.model.output import ClassScores, OutputKind
from tests.explain import student_models

SHAPE = (1, 48, 48)
BLOCKS = [f"layer{i}.{j}" for i in range(1, 5) for j in range(2)]


@pytest.fixture(scope="module")
def kuangliu():
    torch.manual_seed(0)
    return student_models.resnet18(width=16).eval()  # 16 wide: the layers of ResNet18, a quarter of the cost


def test_a_students_own_basic_block_is_a_residual_block(kuangliu):
    sizes = cam_layers(kuangliu, SHAPE)
    assert list(sizes) == ["conv1", *BLOCKS]  # the stem conv, then every block's output; no conv inside a block
    assert (sizes["layer3.1"], sizes["layer4.1"]) == ((12, 12), (6, 6))
    choice = choose_layer(kuangliu, SHAPE, None)
    assert (choice["requested"], choice["layer"], choice["size"], choice["replaced"]) == (
        "layer4.1", "layer3.1", [12, 12], True)
    assert rectified(kuangliu, choice["layer"], SHAPE) == "layer3.1"  # a block's output is used as it is


def test_grad_cam_on_the_chosen_block_gives_a_map_for_every_image(kuangliu):
    x = torch.randn(8, *SHAPE, generator=torch.Generator().manual_seed(1))
    targets = kuangliu(x).argmax(1).numpy()
    block = gradcam(kuangliu, "layer3.1", x, targets)
    assert (block.reshape(8, -1).max(1) > 0).all()


def test_the_add_written_out_of_place_and_nested_stages_are_found_too():
    torch.manual_seed(0)
    model = student_models.resnet18(width=8, block=student_models.AddBlock).eval()
    assert residual_blocks(trace(model, SHAPE)) == BLOCKS  # not the stages layer1..4 that return the same tensor


def test_torchvision_resnet_keeps_its_blocks_and_its_stem_relu():
    model = torchvision.models.resnet18(num_classes=7).eval()
    sizes = cam_layers(model, (3, 48, 48))
    assert list(sizes) == ["conv1", *BLOCKS]
    assert rectified(model, "conv1", (3, 48, 48)) == "relu"  # conv1 -> bn1 -> relu, that relu runs once
    assert rectified(model, "layer1.0.conv1", (3, 48, 48)) == "layer1.0.conv1"  # its block's relu runs twice


def wrappings(model: nn.Module) -> dict[str, nn.Module]:
    scores = ClassScores(model, OutputKind("logits", tuple_output=False, classes=7))
    return {"bare": model, "ClassScores": scores, "Reordered": Reordered(scores, [6, 5, 4, 3, 2, 1, 0]),
            "Resized": Resized(scores, 40), "Resized(Reordered)": Resized(Reordered(scores, list(range(7))), 44)}


@pytest.mark.parametrize("wrapper", ["bare", "ClassScores", "Reordered", "Resized", "Resized(Reordered)"])
def test_a_sequential_model_finds_its_relu_however_it_is_wrapped(wrapper):
    torch.manual_seed(0)
    model = wrappings(student_models.sequential().eval())[wrapper]
    assert list(cam_layers(model, SHAPE)) == ["0", "4"]
    assert choose_layer(model, SHAPE, None)["layer"] == "4"
    assert rectified(model, "4", SHAPE) == "6" and rectified(model, "0", SHAPE) == "2"  # conv -> bn -> relu


@pytest.mark.parametrize("activation", [nn.LeakyReLU, nn.ELU, nn.PReLU, nn.SELU])
@pytest.mark.parametrize("norm", [True, False])
def test_leaky_relu_and_elu_count_as_the_relu(activation, norm):
    model = ClassScores(student_models.sequential(activation, norm=norm).eval(), OutputKind("logits", False, 7))
    last = "4" if norm else "3"
    assert rectified(model, last, SHAPE) == ("6" if norm else "4")


@pytest.mark.parametrize("activation", [nn.GELU, nn.Tanh, nn.Sigmoid])
def test_activations_that_rescale_positive_responses_keep_the_conv(activation):
    model = student_models.sequential(activation, norm=False).eval()
    assert rectified(model, "3", SHAPE) == "3"


def test_a_conv_whose_output_also_goes_elsewhere_keeps_the_conv():
    class Branchy(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv, self.relu, self.side = nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.Conv2d(4, 4, 1)
            self.head = nn.Linear(4, 7)

        def forward(self, x):
            y = self.conv(x)
            return self.head((self.relu(y) + self.side(y)).mean((2, 3)))

    model = Branchy().eval()
    assert rectified(model, "conv", SHAPE) == "conv"
    assert residual_blocks(trace(model, SHAPE)) == []  # an add, but not in a module of its own

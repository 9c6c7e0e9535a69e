"""Fused or foreach optimizer kernels per device, and a learning rate that lives on the device."""

import pytest
import torch

from engine.training.optim import KINDS, Schedule, build_optimizer, kernel_choice
from engine.training.settings import TrainingSettings

TORCH_2_11 = {"mps", "cuda", "xpu", "hpu", "cpu", "mtia"}  # what _get_fused_kernels_supported_devices says


@pytest.mark.parametrize("name", ["sgd", "adam", "adamw", "adagrad"])
def test_fused_kernels_on_cpu_and_cuda_where_pytorch_has_them(name):
    cls = KINDS[name]
    assert kernel_choice(cls, "cpu", TORCH_2_11, cuda_unsupported=False) == {"fused": True}
    assert kernel_choice(cls, "cuda", TORCH_2_11, cuda_unsupported=False) == {"fused": True}


def test_a_fused_kernel_without_a_cuda_version_falls_back_to_foreach_on_cuda_only():
    """Adagrad on PyTorch 2.11: fused on the CPU, and on CUDA `fused=True` would fail at the first step."""
    adagrad = KINDS["adagrad"]
    assert kernel_choice(adagrad, "cuda", TORCH_2_11, cuda_unsupported=True) == {"foreach": True}
    assert kernel_choice(adagrad, "cpu", TORCH_2_11, cuda_unsupported=True) == {"fused": True}


def test_no_fused_kernel_means_foreach_and_mps_is_left_to_pytorch():
    assert kernel_choice(KINDS["rmsprop"], "cuda", TORCH_2_11, cuda_unsupported=False) == {"foreach": True}
    assert kernel_choice(KINDS["adam"], "cuda", {"cpu"}, cuda_unsupported=False) == {"foreach": True}
    assert kernel_choice(KINDS["adam"], "mps", TORCH_2_11, cuda_unsupported=False) == {}


def test_the_installed_pytorch_decides_when_not_told():
    assert kernel_choice(KINDS["adam"], "cpu") == {"fused": True}
    assert kernel_choice(KINDS["rmsprop"], "cpu") == {"foreach": True}


def tiny_run(name: str, capturable: bool) -> tuple[torch.optim.Optimizer, Schedule, torch.nn.Module]:
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 2))
    s = TrainingSettings.from_dict({"optimizer": name, "schedule": "cosine", "epochs": 2, "lr": 0.1})
    optimizer = build_optimizer(net, s, torch.device("cpu"), capturable=capturable)
    schedule = Schedule(optimizer, s, steps_per_epoch=3, train_size=30)
    data = torch.randn(6, 5, 3)
    for batch in data:
        optimizer.zero_grad(set_to_none=True)
        net(batch).square().mean().backward()
        optimizer.step()
        schedule.after_step()
    return optimizer, schedule, net


@pytest.mark.parametrize("name", ["sgd", "adam", "adamw", "rmsprop", "adagrad"])
def test_every_optimizer_steps_on_the_cpu_with_the_chosen_kernels(name):
    optimizer, schedule, _ = tiny_run(name, capturable=False)
    assert schedule.lr == pytest.approx(0.0, abs=1e-9)  # cosine to min_lr 0 over 6 steps
    assert optimizer.param_groups[0].get("fused") == (name != "rmsprop" or None)


@pytest.mark.parametrize("name", ["sgd", "adam", "adamw"])
def test_a_device_learning_rate_follows_the_schedule_and_set_lr_in_place(name):
    """What a captured step needs: the schedule changes the very tensor the step reads."""
    optimizer, schedule, net = tiny_run(name, capturable=True)
    tensor = optimizer.param_groups[0]["lr"]
    assert isinstance(tensor, torch.Tensor) and float(tensor) == pytest.approx(0.0, abs=1e-7)
    schedule.set_lr(0.25)
    assert optimizer.param_groups[0]["lr"] is tensor and float(tensor) == pytest.approx(0.25)
    _, _, plain = tiny_run(name, capturable=False)
    for a, b in zip(net.parameters(), plain.parameters()):
        assert torch.allclose(a, b, atol=1e-6)  # the same steps as with a float learning rate

"""Flatten, Reshape, Permute, and the channel operations of ShuffleNet (shuffle, chunk)."""

from __future__ import annotations

from math import prod
from typing import Any

from engine.errors import ShapeError
from engine.layers.call import call
from engine.layers.geometry import fmt, numel
from engine.layers.lazy_torch import modules, nn
from engine.layers.spec import LayerCost, LayerSpec, Param, require


def _reshape_target(p: dict, shape: tuple) -> tuple:
    target, total = p["shape"], numel(shape)
    known = prod(s for s in target if s != -1)
    if -1 in target:
        if total % known:
            raise ShapeError(f"cannot reshape {fmt(shape)} ({total} values) to {list(target)}; "
                             f"{total} is not a multiple of {known}")
        return tuple(total // known if s == -1 else s for s in target)
    if known != total:
        raise ShapeError(f"cannot reshape {fmt(shape)} ({total} values) to {fmt(target)} ({known} values); "
                         "the sizes must multiply to the same total (use -1 for one size to infer it)")
    return target


def _flatten_params(m: Any) -> dict:
    require(m.start_dim == 1 and m.end_dim == -1,
            f"flatten(start_dim={m.start_dim}, end_dim={m.end_dim}) (only from axis 1 to the end)")
    return {}


def _permute_infer(p: dict, ins: list) -> LayerCost:
    dims = p["dims"]
    if sorted(dims) != list(range(1, len(ins[0]) + 1)):
        raise ShapeError(f"axes {list(dims)} must be 1..{len(ins[0])} in some order, one each, for its "
                         f"{fmt(ins[0])} input (axis 1 is the first after the batch)")
    return LayerCost({"out": tuple(ins[0][d - 1] for d in dims)})


def _shuffle_infer(p: dict, ins: list) -> LayerCost:
    if len(ins[0]) < 2 or ins[0][0] % p["groups"]:
        raise ShapeError(f"needs channels divisible by its {p['groups']} groups, gets {fmt(ins[0])}")
    return LayerCost({"out": ins[0]})


def _chunk_infer(p: dict, ins: list) -> LayerCost:
    channels, chunks, index = ins[0][0], p["chunks"], p["index"]
    size = -(-channels // chunks)
    made = -(-channels // size)
    if index >= made:
        raise ShapeError(f"{channels} channels make {made} chunks of {size}, so there is no chunk {index}")
    return LayerCost({"out": (min(size, channels - index * size), *ins[0][1:])})


def _torch_permute(m: Any) -> dict:
    require(m.dims[:1] == (0,), f"permute{tuple(m.dims)} moves the batch axis")
    return {"dims": tuple(m.dims[1:])}


SPECS = (
    LayerSpec(type_id="Flatten", category="Shape", display_name="Flatten",
              description="Lays all values of a sample out in one row: C x H x W becomes C*H*W features.",
              infer=lambda p, ins: LayerCost({"out": (numel(ins[0]),)}),
              constructor=lambda p, ins, used: call(nn.Flatten),
              module_types=("torch.nn.Flatten",), from_module=_flatten_params, name_prefix="flatten", glyph="≡"),
    LayerSpec(type_id="Reshape", category="Shape", display_name="Reshape / Unflatten",
              description="Gives each sample a new shape with the same number of values.",
              params=(Param("shape", "shape", (1, 28, 28),
                            "Target shape without the batch axis; -1 once means 'infer this size'.",
                            summary="{}"),),
              infer=lambda p, ins: LayerCost({"out": _reshape_target(p, ins[0])}),
              constructor=lambda p, ins, used: call(modules.Reshape, shape=_reshape_target(p, ins[0])),
              module_types=("engine.layers.modules.Reshape",),
              from_module=lambda m: {"shape": tuple(m.shape)},  # a -1 comes back as the size it stood for
              name_prefix="reshape", glyph="⤨"),
    LayerSpec(type_id="Permute", category="Shape", display_name="Permute",
              description="Reorders the axes of each sample: (2, 3, 1) makes C x H x W channels-last "
                          "H x W x C.",
              params=(Param("dims", "shape", (2, 3, 1), "The input's axes in their new order, numbered from 1 "
                            "(the batch axis stays first).", summary="axes {}"),),
              infer=_permute_infer,
              constructor=lambda p, ins, used: call(modules.Permute, tuple(p["dims"])),
              module_types=("engine.layers.modules.Permute",),
              from_module=lambda m: {"dims": tuple(m.dims)}, name_prefix="permute", glyph="⇄"),
    LayerSpec(type_id="ChannelShuffle", category="Shape", display_name="Channel shuffle",
              description="Interleaves the channels of its groups (ShuffleNet): with 2 groups, channels "
                          "a1 a2 b1 b2 become a1 b1 a2 b2, so grouped convolutions see each other's features.",
              params=(Param("groups", "int", 2, "Number of channel groups to interleave.", minimum=1,
                            maximum=100_000, summary="{} groups"),),
              infer=_shuffle_infer,
              constructor=lambda p, ins, used: call(nn.ChannelShuffle, p["groups"]),
              module_types=("torch.nn.ChannelShuffle",),
              from_module=lambda m: {"groups": int(m.groups)}, name_prefix="shuffle", glyph="⋈"),
    LayerSpec(type_id="ChannelChunk", category="Shape", display_name="Channel chunk",
              description="One of several nearly equal parts of the channels (torch's x.chunk(chunks, dim=1)"
                          "[index]): splits a ShuffleNet unit's input into its two branches.",
              params=(Param("chunks", "int", 2, "Number of parts the channels are split into.", minimum=1,
                            maximum=100_000, summary="{} chunks"),
                      Param("index", "int", 0, "Which part (0 is the first channels).", minimum=0,
                            maximum=100_000, summary="part {}")),
              infer=_chunk_infer,
              constructor=lambda p, ins, used: call(modules.ChannelChunk, p["chunks"], p["index"]),
              module_types=("engine.layers.modules.ChannelChunk",),
              from_module=lambda m: {"chunks": m.chunks, "index": m.index}, name_prefix="chunk", glyph="⫼"),
)

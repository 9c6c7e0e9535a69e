"""Layers of a vision transformer's token sequences (L positions x C channels): the class token,
the position embedding, self-attention and taking one token."""

from __future__ import annotations

from typing import Any

from engine.errors import ShapeError
from engine.layers.call import call
from engine.layers.geometry import fmt, numel, require_rank
from engine.layers.lazy_torch import modules
from engine.layers.spec import LayerCost, LayerSpec, Param, require


def _sequence(shape: tuple) -> None:
    require_rank(shape, (2,), "a sequence (positions x channels)",
                 "Reshape and Permute an image to positions x channels first")


def _token_infer(p: dict, ins: list) -> LayerCost:
    _sequence(ins[0])
    length, channels = ins[0]
    return LayerCost({"out": (length + 1, channels)}, params=channels)


def _attention_infer(p: dict, ins: list) -> LayerCost:
    _sequence(ins[0])
    length, channels = ins[0]
    if channels % p["heads"]:
        raise ShapeError(f"{p['heads']} heads must divide the {channels} channels of its {fmt(ins[0])} input")
    params = 4 * channels * channels + (4 * channels if p["bias"] else 0)
    macs = 4 * length * channels * channels + 2 * length * length * channels  # projections, scores and mix
    return LayerCost({"out": ins[0]}, params=params, macs=macs)


def _select_infer(p: dict, ins: list) -> LayerCost:
    if len(ins[0]) < 2 or p["index"] >= ins[0][0]:
        raise ShapeError(f"there is no position {p['index']} in its {fmt(ins[0])} input")
    return LayerCost({"out": ins[0][1:]})


def _attention_params(m: Any) -> dict:
    require(m.batch_first, "attention with batch_first=False (LayerLab's sequences are N x L x C)")
    require(m._qkv_same_embed_dim and m.bias_k is None and not m.add_zero_attn,
            "attention with other key or value sizes, a key/value bias or a zero attention")
    return {"heads": m.num_heads, "dropout": float(m.dropout), "bias": m.in_proj_bias is not None}


SPECS = (
    LayerSpec(type_id="ClassToken", category="Transformer", display_name="Class token",
              description="Puts a learned token before each sample's sequence (L x C becomes L+1 x C); a "
                          "vision transformer classifies from what attention gathers into it.",
              infer=_token_infer, constructor=lambda p, ins, used: call(modules.ClassToken, ins[0][1]),
              module_types=("engine.layers.modules.ClassToken",), from_module=lambda m: {},
              name_prefix="class_token", glyph="⊕"),
    LayerSpec(type_id="PositionEmbedding", category="Transformer", display_name="Position embedding",
              description="Adds a learned value to every value of the sample, so each position of a sequence "
                          "can be told apart.",
              infer=lambda p, ins: LayerCost({"out": ins[0]}, params=numel(ins[0]), macs=numel(ins[0])),
              constructor=lambda p, ins, used: call(modules.PositionEmbedding, (1, *ins[0])),
              module_types=("engine.layers.modules.PositionEmbedding",), from_module=lambda m: {},
              name_prefix="pos_embedding", glyph="⌖"),
    LayerSpec(type_id="SelfAttention", category="Transformer", display_name="Self-attention",
              description="Multi-head attention of a sequence to itself: each position takes a weighted mix of "
                          "all positions, the weights from how well their keys match its query.",
              params=(Param("heads", "int", 4, "Number of attention heads (they split the channels).", minimum=1,
                            maximum=1024, summary="{} heads"),
                      Param("dropout", "float", 0.0, "Dropout on the attention weights while training.",
                            minimum=0.0, maximum=0.99, summary="dropout {}", summary_unless=0.0),
                      Param("bias", "bool", True, "Learned biases in the projections.", summary="no bias",
                            summary_unless=True)),
              infer=_attention_infer,
              constructor=lambda p, ins, used: call(modules.SelfAttention, ins[0][1], p["heads"], dropout=p["dropout"],
                                                    bias=p["bias"], batch_first=True),
              module_types=("engine.layers.modules.SelfAttention", "torch.nn.MultiheadAttention"),
              from_module=_attention_params, name_prefix="attention", glyph="◎"),
    LayerSpec(type_id="SelectToken", category="Transformer", display_name="Select token",
              description="Keeps one position of each sample's sequence (x[:, index]): L x C becomes C.",
              params=(Param("index", "int", 0, "The position kept (0: the class token).", minimum=0,
                            maximum=100_000, summary="position {}"),),
              infer=_select_infer, constructor=lambda p, ins, used: call(modules.SelectToken, p["index"]),
              module_types=("engine.layers.modules.SelectToken",), from_module=lambda m: {"index": m.index},
              name_prefix="select", glyph="↦"),
)

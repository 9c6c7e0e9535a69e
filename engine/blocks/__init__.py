"""Blocks: reusable sub-networks. A project's `BlockLibrary` holds `BlockDefinition`s (a name, an
inner Network whose BlockInput/BlockOutput layers are the ports, and arguments with defaults that
inner parameters refer to as `{"arg": "channels"}`); a "Block" node in a Network is one instance of
a definition, repeated `repeat` times in series. See engine.blocks.definition, group, infer, compile.
"""

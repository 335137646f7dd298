"""The tiled tree without storage: the tiles an append produces, the roots and proofs computed
from them against the reference implementation (`root_from_leaves`, `inclusion_path`,
`consistency_path`) and the verifiers (`verify_inclusion`, `verify_consistency`), for random
trees, every leaf and every pair of sizes; and the C2SP tile paths."""

from __future__ import annotations

import hashlib

from hypothesis import given, settings
from hypothesis import strategies as st

from credentials.transparency import (
    consistency_path,
    inclusion_path,
    leaf_hash,
    root_from_leaves,
    verify_consistency,
    verify_inclusion,
)
from registry.transparency import tree

Tiles = dict[tuple[int, int], list[bytes]]


def leaves(n: int, salt: int = 0) -> list[bytes]:
    return [leaf_hash(hashlib.sha256(f"{salt}:{i}".encode()).digest()) for i in range(n)]


def grow(hashes: list[bytes], chunks: list[int]) -> tuple[list[tree.Subtree], Tiles]:
    """Append `hashes` in chunks of the given sizes (the rest at the end), keeping the tiles the
    way the store does: each tile hash at the slot that follows the last."""
    frontier: list[tree.Subtree] = []
    tiles: Tiles = {}
    size = 0
    for chunk in [*chunks, len(hashes)]:
        part = hashes[size : size + chunk]
        frontier, added = tree.append(frontier, size, part)
        for item in added:
            stored = tiles.setdefault((item.level, item.tile), [])
            assert item.slot == len(stored)
            stored.append(item.hash)
        size += len(part)
    return frontier, tiles


def perfect(tiles: Tiles) -> tree.Perfect:
    def read(start: int, height: int) -> bytes:
        where = tree.span(start, height)
        hashes = tiles[(where.level, where.tile)][where.slot : where.slot + where.count]
        assert len(hashes) == where.count
        return tree.balanced_root(hashes)

    return read


@settings(max_examples=60, deadline=None)
@given(
    size=st.integers(min_value=1, max_value=700),
    chunks=st.lists(st.integers(min_value=1, max_value=300), max_size=6),
    salt=st.integers(min_value=0, max_value=10),
)
def test_tiles_give_the_root_and_proofs_that_verify_for_every_leaf(
    size: int, chunks: list[int], salt: int
) -> None:
    hashes = leaves(size, salt)
    frontier, tiles = grow(hashes, chunks)
    root = root_from_leaves(hashes)
    assert tree.frontier_root(frontier) == root
    assert tree.range_hash(0, size, perfect(tiles)) == root
    for (level, index), stored in tiles.items():
        assert len(stored) == tree.tile_width(level, index, size)
    for index in range(size):
        proof = [
            tree.range_hash(a, b, perfect(tiles)) for a, b in tree.inclusion_ranges(index, size)
        ]
        verify_inclusion(hashes[index], index, size, proof, root)
        if index % 37 == 0:
            assert proof == inclusion_path(index, hashes)


@settings(max_examples=40, deadline=None)
@given(size=st.integers(min_value=1, max_value=140), salt=st.integers(min_value=0, max_value=5))
def test_consistency_proofs_from_tiles_verify_for_every_pair_of_sizes(size: int, salt: int) -> None:
    hashes = leaves(size, salt)
    _, tiles = grow(hashes, [])
    new_root = root_from_leaves(hashes)
    for old in range(1, size + 1):
        proof = [
            tree.range_hash(a, b, perfect(tiles)) for a, b in tree.consistency_ranges(old, size)
        ]
        assert proof == consistency_path(old, hashes)
        verify_consistency(old, size, proof, root_from_leaves(hashes[:old]), new_root)


def test_a_tree_of_70000_has_the_tiles_the_spec_lists() -> None:
    # C2SP tlog-tiles: 273 full level-0 tiles, a partial one of 112, one full level-1 tile, a
    # partial level-1 tile of 17 and a partial level-2 tile of 1.
    _, tiles = grow(leaves(70_000), [1000, 65_536])
    widths = {key: len(value) for key, value in tiles.items()}
    assert sum(1 for (level, _), w in widths.items() if level == 0 and w == 256) == 273
    assert widths[(0, 273)] == 112
    assert widths[(1, 0)] == 256 and widths[(1, 1)] == 17
    assert widths[(2, 0)] == 1
    assert len(widths) == 274 + 2 + 1


@given(index=st.integers(min_value=0, max_value=10**12), width=st.integers(1, 256))
def test_tile_paths_round_trip(index: int, width: int) -> None:
    for level in (0, 5, tree.ENTRIES):
        path = tree.tile_path(level, index, width).removeprefix("tile/")
        parsed = tree.parse_tile_path(path)
        assert parsed == tree.TileRequest(None if level == tree.ENTRIES else level, index, width)


def test_tile_paths_are_the_specs_and_only_their_canonical_spelling_is_accepted() -> None:
    assert tree.tile_path(0, 1234067, 256) == "tile/0/x001/x234/067"
    assert tree.tile_path(tree.ENTRIES, 5, 12) == "tile/entries/005.p/12"
    for wrong in (
        "0/x000/001",  # 1 spelt with a leading zero group
        "0/1",
        "00/001",
        "64/001",
        "0/001.p/0",
        "0/001.p/256",
        "0/001.p/012",
        "0/001/",
        "0/x001",
        "entry/001",
        "0/001.p",
        "-1/001",
        "0/x٠٠١/001",  # other digits
        "0/00١",
        "²/001",
        "0/" + "x000/" * 1433 + "000",  # more digits than int() reads (issue 15)
        "0/" + "x000/" * 6 + "001",  # an index past the largest tree's
        "0/" + "x999/" * 5 + "999",
    ):
        assert tree.parse_tile_path(wrong) is None, wrong[:40]


def test_the_largest_tiles_of_the_largest_tree_have_paths() -> None:
    last = (2**64 - 1) >> tree.HEIGHT  # the last full tile of level 0 in a tree of 2^64 - 1
    for index in (last, last - 1, 10**15):
        path = tree.tile_path(0, index, 256).removeprefix("tile/")
        assert tree.parse_tile_path(path) == tree.TileRequest(0, index, 256)

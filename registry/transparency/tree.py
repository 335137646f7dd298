"""The Merkle tree of the log as tiles (C2SP tlog-tiles, height 8), without any storage.

- Appending: the log keeps its *frontier*, the perfect subtrees whose sizes are the binary digits
  of the tree size (at most 64 hashes). Appending leaves merges them like a binary counter; every
  subtree of height 8·L that appears is one hash of a level-L tile, so an append knows exactly
  which tile hashes it adds and never reads a tile. The root is the frontier folded from the right.
- Proofs: RFC 9162 §2.1.3 (PATH) and §2.1.4 (PROOF) name the subtrees whose hashes form a proof;
  each one is a perfect subtree, read from one tile (a level-L tile hash is a subtree of height
  8·L, the levels in between are hashed from at most 128 consecutive tile hashes), or a right edge
  made of such subtrees. So any root or proof reads O(log n) tiles, never the leaves.
- Paths: `tile/<L>/<N>[.p/<W>]` and `tile/entries/<N>[.p/<W>]`, N in 3-digit groups, all but the
  last prefixed with `x`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Final

from credentials.transparency import MAX_TREE_SIZE, node_hash, root_from_leaves
from registry.whole_numbers import whole_number

EMPTY_ROOT: Final = root_from_leaves(())
HEIGHT: Final = 8
WIDTH: Final = 1 << HEIGHT
MAX_LEVEL: Final = 63
ENTRIES: Final = "entries"
# The last tile of level 0 in the largest tree a log can have: no tile index is larger.
MAX_INDEX: Final = MAX_TREE_SIZE >> HEIGHT


@dataclass(frozen=True)
class Subtree:
    """The perfect subtree of 2**height leaves from `start`, and its hash."""

    start: int
    height: int
    hash: bytes


@dataclass(frozen=True)
class TileHash:
    """Hash number `position` of tile level `level` (tile position // 256, slot position % 256)."""

    level: int
    position: int
    hash: bytes

    @property
    def tile(self) -> int:
        return self.position // WIDTH

    @property
    def slot(self) -> int:
        return self.position % WIDTH


def append(
    frontier: Sequence[Subtree], size: int, leaf_hashes: Iterable[bytes]
) -> tuple[list[Subtree], list[TileHash]]:
    """The frontier after appending `leaf_hashes` to a tree of `size` leaves, and every tile
    hash the append adds, in order."""
    out = list(frontier)
    added: list[TileHash] = []
    for offset, value in enumerate(leaf_hashes):
        node = Subtree(size + offset, 0, value)
        added.append(TileHash(0, node.start, value))
        while out and out[-1].height == node.height:
            left = out.pop()
            node = Subtree(left.start, node.height + 1, node_hash(left.hash, node.hash))
            if node.height % HEIGHT == 0:
                level = node.height // HEIGHT
                added.append(TileHash(level, node.start >> node.height, node.hash))
        out.append(node)
    return out, added


def frontier_root(frontier: Sequence[Subtree]) -> bytes:
    """The tree hash of the tree whose frontier this is (SHA-256("") when empty)."""
    if not frontier:
        return EMPTY_ROOT
    value = frontier[-1].hash
    for subtree in reversed(frontier[:-1]):
        value = node_hash(subtree.hash, value)
    return value


# --- proofs as ranges -------------------------------------------------------------------------

Range = tuple[int, int]


def _split(n: int) -> int:
    """The largest power of two smaller than n (n >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


def inclusion_ranges(index: int, size: int) -> list[Range]:
    """The leaf ranges whose hashes are PATH(index, D[0:size]), nearest the leaf first."""
    if not 0 <= index < size:
        raise ValueError(f"leaf {index} is not in a tree of {size}")
    out: list[Range] = []
    lo, hi = 0, size
    while hi - lo > 1:
        k = _split(hi - lo)
        if index < lo + k:
            out.append((lo + k, hi))
            hi = lo + k
        else:
            out.append((lo, lo + k))
            lo = lo + k
    return out[::-1]


def consistency_ranges(old: int, new: int) -> list[Range]:
    """The leaf ranges whose hashes are PROOF(old, D[0:new]) (RFC 9162 §2.1.4.1)."""
    if not 0 < old <= new:
        raise ValueError(f"no consistency proof from {old} to {new}")
    out: list[Range] = []
    lo, hi, whole = 0, new, True
    while True:
        if old - lo == hi - lo:
            if not whole:
                out.append((lo, hi))
            return out[::-1]
        k = _split(hi - lo)
        if old - lo <= k:
            out.append((lo + k, hi))
            hi = lo + k
        else:
            out.append((lo, lo + k))
            lo, whole = lo + k, False


# --- hashes of ranges from tiles --------------------------------------------------------------


@dataclass(frozen=True)
class TileSpan:
    """Where a perfect subtree's hash comes from: `count` hashes of tile (`level`, `tile`) from
    `slot`, hashed together (count is a power of two up to 128; 1 means the hash itself)."""

    level: int
    tile: int
    slot: int
    count: int


def span(start: int, height: int) -> TileSpan:
    level, rest = divmod(height, HEIGHT)
    position = start >> (level * HEIGHT)
    return TileSpan(level, position // WIDTH, position % WIDTH, 1 << rest)


def balanced_root(hashes: Sequence[bytes]) -> bytes:
    """The root over a power-of-two count of hashes."""
    layer = list(hashes)
    while len(layer) > 1:
        layer = [node_hash(layer[i], layer[i + 1]) for i in range(0, len(layer), 2)]
    return layer[0]


Perfect = Callable[[int, int], bytes]


def range_hash(lo: int, hi: int, perfect: Perfect) -> bytes:
    """MTH(D[lo:hi]) for a range of the RFC's recursion (lo aligned to the subtree sizes), from
    `perfect(start, height)`, the hash of a perfect subtree."""
    n = hi - lo
    if n == 0:
        return EMPTY_ROOT
    if n & (n - 1) == 0:
        return perfect(lo, n.bit_length() - 1)
    k = _split(n)
    return node_hash(perfect(lo, k.bit_length() - 1), range_hash(lo + k, hi, perfect))


# --- paths --------------------------------------------------------------------------------------


def encode_index(index: int) -> str:
    """`1234067` → `x001/x234/067`."""
    groups: list[int] = []
    while True:
        index, rest = divmod(index, 1000)
        groups.append(rest)
        if index == 0:
            break
    parts = [f"{g:03d}" for g in reversed(groups)]
    return "/".join([*(f"x{p}" for p in parts[:-1]), parts[-1]])


_INDEX_DIGITS: Final = 3 * len(encode_index(MAX_INDEX).split("/"))  # 18: six groups


def tile_path(level: int | str, index: int, width: int) -> str:
    """The path of a tile (`level` an int, or `ENTRIES` for an entry bundle) of `width` hashes."""
    suffix = "" if width == WIDTH else f".p/{width}"
    return f"tile/{level}/{encode_index(index)}{suffix}"


@dataclass(frozen=True)
class TileRequest:
    """A parsed tile path: `level` None for an entry bundle."""

    level: int | None
    index: int
    width: int


def _canonical(text: str, max_digits: int) -> int | None:
    """`text` as a number when it is spelt the one way (ASCII digits, no leading zero)."""
    value = whole_number(text, max_digits)
    return value if value is not None and str(value) == text else None


def _index(groups: list[str]) -> int | None:
    """The tile index that `groups` spell in the one canonical way, at most `MAX_INDEX`."""
    index = whole_number("".join(g.removeprefix("x") for g in groups), _INDEX_DIGITS)
    if index is None or index > MAX_INDEX or encode_index(index) != "/".join(groups):
        return None  # x000/001 is 001 spelt another way
    return index


def parse_tile_path(path: str) -> TileRequest | None:
    """The tile a path (after `tile/`) names, or None unless it is the one canonical spelling
    of a tile the largest tree could have (every number read by the one rule for a client's
    numbers, `registry.whole_numbers`)."""
    parts = path.split("/")
    width: int | None = WIDTH
    if len(parts) >= 3 and parts[-2].endswith(".p"):
        width = _canonical(parts[-1], 3)
        parts = [*parts[:-2], parts[-2].removesuffix(".p")]
        if width is None or not 1 <= width < WIDTH:
            return None
    if len(parts) < 2 or width is None:
        return None
    level = None if parts[0] == ENTRIES else _canonical(parts[0], 2)
    if parts[0] != ENTRIES and (level is None or level > MAX_LEVEL):
        return None
    index = _index(parts[1:])
    return None if index is None else TileRequest(level, index, width)


def tile_width(level: int, index: int, size: int) -> int:
    """How many hashes tile (`level`, `index`) holds in a tree of `size` leaves (0: none yet)."""
    hashes = size >> (level * HEIGHT)
    return max(0, min(WIDTH, hashes - index * WIDTH))

"""Small dense matrix helpers for the forecast (tens of states; pure Python, no numpy)."""

from __future__ import annotations

from collections.abc import Sequence

Matrix = list[list[float]]
Vector = list[float]


def identity(n: int) -> Matrix:
    return [[1.0 if i == j else 0.0 for j in range(n)] for i in range(n)]


def matmul(a: Matrix, b: Matrix) -> Matrix:
    columns = list(zip(*b, strict=True))
    out: Matrix = []
    for row in a:
        nonzero = [(k, v) for k, v in enumerate(row) if v != 0.0]
        out.append([sum(v * col[k] for k, v in nonzero) for col in columns])
    return out


def vecmat(x: Sequence[float], a: Matrix) -> Vector:
    n = len(a[0]) if a else 0
    out = [0.0] * n
    for xi, row in zip(x, a, strict=True):
        if xi != 0.0:
            for j, v in enumerate(row):
                if v != 0.0:
                    out[j] += xi * v
    return out


def add(a: Matrix, b: Matrix, scale: float = 1.0) -> Matrix:
    return [
        [x + scale * y for x, y in zip(ra, rb, strict=True)] for ra, rb in zip(a, b, strict=True)
    ]


def power(a: Matrix, n: int) -> Matrix:
    result = identity(len(a))
    base = a
    while n:
        if n & 1:
            result = matmul(result, base)
        n >>= 1
        if n:
            base = matmul(base, base)
    return result


def power_sums(p: Matrix, n: int) -> tuple[Matrix, Matrix, Matrix]:
    """``(P^n, A, B)`` with ``A = sum_{k<n} P^k`` and ``B = sum_{k<n} k P^k``, by doubling."""
    size = len(p)
    pn, a, b, m = (
        identity(size),
        [[0.0] * size for _ in range(size)],
        [[0.0] * size for _ in range(size)],
        0,
    )
    for bit in bin(n)[2:]:
        # double: A2m = Am + Pm Am ; B2m = Bm + Pm (Bm + m Am) ; P2m = Pm Pm
        if m:
            b = add(b, matmul(pn, add(b, a, float(m))))
            a = add(a, matmul(pn, a))
            pn = matmul(pn, pn)
            m *= 2
        if bit == "1":
            # one more step: A_{m+1} = Am + Pm ; B_{m+1} = Bm + m Pm ; P_{m+1} = Pm P
            a = add(a, pn)
            b = add(b, pn, float(m))
            pn = matmul(pn, p)
            m += 1
    return pn, a, b

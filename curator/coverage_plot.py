"""``coverage.png``: each category's share against its target range, byte-stable (no timestamp, no
software tag, fixed size and fonts)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from prefloop.curator.coverage import CategoryCoverage

__all__ = ["plot_coverage"]

_COLOURS = {"ok": "#2b8a3e", "low": "#e8590c", "high": "#1971c2", "empty": "#c92a2a"}


def plot_coverage(categories: Sequence[CategoryCoverage], path: Path, title: str) -> Path:
    """Draw one horizontal bar per category (tactics above, hazards below) with its target band."""
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    with matplotlib.rc_context(
        {"font.family": "DejaVu Sans", "svg.hashsalt": "prefloop", "path.simplify": True, "figure.dpi": 100}
    ):
        rows = list(categories)
        height = max(3.0, 0.32 * len(rows) + 1.2)
        fig, ax = plt.subplots(figsize=(8.0, height))
        try:
            labels = [f"{c.axis}: {c.name}" for c in rows]
            ys = list(range(len(rows)))[::-1]
            for y, c in zip(ys, rows, strict=True):
                ax.plot(
                    [c.target_min, c.target_max], [y, y], color="#adb5bd", linewidth=9, solid_capstyle="butt"
                )
                ax.barh(y, c.share, height=0.35, color=_COLOURS.get(c.status, "#495057"))
                ax.text(c.share + 0.005, y, f"{c.share * 100:.1f}% ({c.count})", va="center", fontsize=7)
            ax.set_yticks(ys, labels, fontsize=8)
            ax.set_xlabel("share of pairs (grey band: target range)")
            ax.set_xlim(0, max([0.5] + [c.share * 1.25 for c in rows] + [c.target_max * 1.1 for c in rows]))
            ax.set_title(title, fontsize=10)
            fig.tight_layout()
            path.parent.mkdir(parents=True, exist_ok=True)
            fig.savefig(path, format="png", metadata={"Software": None})
        finally:
            plt.close(fig)
    return path

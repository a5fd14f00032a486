"""Frames to files: GIF (one shared palette, Pillow's GIF blocks) and MP4 (H.264, yuv420p,
imageio's ffmpeg).

Both write each frame out as it arrives, into a file, so an animation's memory does not grow
with its length: the GIF encoder keeps two frames of one byte per pixel (the one before, to
store only what changed, and the one waiting to learn whether it is the last), the MP4 encoder
none (ffmpeg holds a few). Issue #21 finding 8: a 399-frame GIF kept every frame until the end
and took a server past its 768 MiB limit."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import imageio.v2 as imageio
import numpy as np
from PIL import GifImagePlugin, Image

FORMATS = {"gif": "image/gif", "mp4": "video/mp4"}
#: The last frame stays this long in a looping GIF, so a reader sees where the window ends.
GIF_HOLD_LAST_MS = 2000
#: x264's constant quality: 23 is its default; maps are flat colour, so this is near-lossless to the eye.
MP4_CRF = 23
#: "Leave the frame in place": the next frame draws only its changed rectangle over it.
_DISPOSAL_KEEP = 1


class GifEncoder:
    """Quantise every frame to one palette made from sample frames (no flicker between frames,
    no dithering noise, so unchanged areas stay identical) and write only the rectangle that
    changed since the frame before, as Pillow's own writer does, but one frame at a time."""

    def __init__(self, samples: Sequence[np.ndarray], fps: float, path: Path) -> None:
        sample = Image.fromarray(np.vstack(list(samples)))
        self._palette = sample.quantize(colors=256, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
        self._ms = max(int(round(1000 / fps, -1)), 20)  # GIF counts in hundredths of a second
        self._fh = open(path, "wb")  # closed by finish() or abort()
        self._before: np.ndarray | None = None  # palette indices of the last frame written
        self._waiting: Image.Image | None = None  # its duration depends on whether it is the last
        self.written = 0

    def add(self, rgb: np.ndarray) -> None:
        frame = Image.fromarray(rgb).quantize(palette=self._palette, dither=Image.Dither.NONE)
        if self._waiting is not None:
            self._write(self._waiting, self._ms)
        self._waiting = frame

    def finish(self) -> None:
        if self._waiting is None:
            raise ValueError("a GIF needs at least one frame")
        self._write(self._waiting, max(self._ms, GIF_HOLD_LAST_MS))
        self._waiting = self._before = None
        self._fh.write(b";")  # GIF trailer
        self._fh.close()

    def abort(self) -> None:
        self._waiting = self._before = None
        self._fh.close()

    def _write(self, frame: Image.Image, ms: int) -> None:
        indices = np.asarray(frame)
        if self._before is None:
            header, _ = GifImagePlugin.getheader(frame, info={"loop": 0, "duration": ms})
            self._fh.write(b"".join(header))
            box = (0, 0, *frame.size)
        else:
            box = _changed_box(self._before, indices)
        part = frame.crop(box) if box != (0, 0, *frame.size) else frame
        for block in GifImagePlugin.getdata(part, offset=box[:2], duration=ms, disposal=_DISPOSAL_KEEP):
            self._fh.write(block)
        self._before = indices
        self.written += 1


def _changed_box(before: np.ndarray, after: np.ndarray) -> tuple[int, int, int, int]:
    """(left, top, right, bottom) of the pixels that differ; one pixel when none does (a GIF
    frame cannot be empty, and the delay still has to be stored)."""
    diff = before != after
    rows, cols = np.flatnonzero(diff.any(axis=1)), np.flatnonzero(diff.any(axis=0))
    if rows.size == 0:
        return 0, 0, 1, 1
    return int(cols[0]), int(rows[0]), int(cols[-1]) + 1, int(rows[-1]) + 1


class Mp4Encoder:
    """H.264 in yuv420p (plays in every browser), fed frame by frame to imageio-ffmpeg's ffmpeg."""

    def __init__(self, size: tuple[int, int], fps: float, path: Path) -> None:
        if size[0] % 2 or size[1] % 2:
            raise ValueError("H.264 in yuv420p needs an even width and height")
        self._path = path
        self.written = 0
        # macro_block_size=2: keep the frame's own size (the default 16 would rescale 1280x720's
        # neighbours such as 320x180); faststart puts the index first so a browser plays at once.
        self._writer = imageio.get_writer(
            str(path), format="FFMPEG", mode="I", fps=fps, codec="libx264", pixelformat="yuv420p",
            macro_block_size=2, quality=None, ffmpeg_log_level="error",
            output_params=["-crf", str(MP4_CRF), "-preset", "medium", "-movflags", "+faststart"])

    def add(self, rgb: np.ndarray) -> None:
        self._writer.append_data(rgb)
        self.written += 1

    def finish(self) -> None:
        self._writer.close()

    def abort(self) -> None:
        try:
            self._writer.close()
        finally:
            if os.path.exists(self._path):
                os.unlink(self._path)

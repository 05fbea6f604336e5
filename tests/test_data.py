"""data.digits (bundled, fixed split per seed) and data.load_mnist on tiny IDX files the tests write."""

import gzip
import struct

import numpy as np
import pytest

from sptheory import data, nn


def gen(seed):
    return np.random.Generator(np.random.PCG64(seed))


def test_digits_split_is_fixed_per_seed_and_standardised():
    a, b, c = data.digits(0), data.digits(0), data.digits(1)
    sizes = [len(s[1]) for s in (a.train, a.val, a.test)]
    assert sum(sizes) == 1797 and a.n_features == 64 and a.n_classes == 10
    for s in (a.train, a.val, a.test):
        assert set(np.unique(s[1])) == set(range(10))  # stratified: every class in every split
    for x, y in zip((a.train, a.val, a.test), (b.train, b.val, b.test)):
        np.testing.assert_array_equal(x[0], y[0])
        np.testing.assert_array_equal(x[1], y[1])
    assert not np.array_equal(a.test[0], c.test[0])
    X = a.train[0]
    live = X.std(0) > 0
    np.testing.assert_allclose(X.mean(0), 0.0, atol=1e-12)
    np.testing.assert_allclose(X.std(0)[live], 1.0, rtol=1e-12)
    # the three splits are disjoint images: undo the standardisation and match rows
    raw = [np.round(s[0] * a.std + a.mean).astype(int) for s in (a.train, a.val, a.test)]
    rows = {r.tobytes() for r in np.concatenate(raw)}
    assert len(rows) >= 1797 - 20  # the data set itself has a few duplicate images
    with pytest.raises(ValueError, match="val"):
        data.digits(0, val=-0.1)
    with pytest.raises(ValueError, match="val \\+ test"):
        data.digits(0, val=0.5, test=0.5)


def write_idx(path, array, type_code=0x08, compress=False):
    array = np.asarray(array)
    head = bytes([0, 0, type_code, array.ndim]) + struct.pack(">" + "i" * array.ndim, *array.shape)
    payload = head + array.astype(array.dtype.newbyteorder(">")).tobytes()
    with (gzip.open if compress else open)(path, "wb") as fh:
        fh.write(payload)
    return path


def make_mnist(folder, n_train=12, n_test=5, compress=False, seed=0):
    g = gen(seed)
    imgs = {"train": g.integers(0, 256, (n_train, 28, 28)).astype(np.uint8),
            "test": g.integers(0, 256, (n_test, 28, 28)).astype(np.uint8)}
    labels = {"train": g.integers(0, 10, n_train).astype(np.uint8), "test": g.integers(0, 10, n_test).astype(np.uint8)}
    sfx = ".gz" if compress else ""
    write_idx(folder / f"train-images-idx3-ubyte{sfx}", imgs["train"], compress=compress)
    write_idx(folder / f"train-labels-idx1-ubyte{sfx}", labels["train"], compress=compress)
    write_idx(folder / f"t10k-images-idx3-ubyte{sfx}", imgs["test"], compress=compress)
    write_idx(folder / f"t10k-labels-idx1-ubyte{sfx}", labels["test"], compress=compress)
    return imgs, labels


@pytest.mark.parametrize("compress", [False, True])
def test_load_mnist_reads_idx_files(tmp_path, compress):
    imgs, labels = make_mnist(tmp_path, compress=compress)
    m = data.load_mnist(tmp_path, standardize_features=False)
    np.testing.assert_array_equal(m.train[0], imgs["train"].reshape(12, -1) / 255.0)
    np.testing.assert_array_equal(m.train[1], labels["train"])
    np.testing.assert_array_equal(m.test[1], labels["test"])
    assert m.val[0].shape == (0, 784)
    s = data.load_mnist(tmp_path, n_val=4, seed=1)
    assert len(s.train[1]) == 8 and len(s.val[1]) == 4
    np.testing.assert_allclose(s.train[0].mean(0), 0.0, atol=1e-12)
    # the paper's FCN builds and takes a gradient on it
    net = nn.MLP(sizes=(784, 256, 128, 10), data=s.train, batch=4)
    assert net.grad(net.init_weights(gen(0), replicates=2), gen(1)).shape == (2, net.D)


def test_read_idx_types(tmp_path):
    a = gen(0).standard_normal((3, 2)).astype(np.float32)
    np.testing.assert_array_equal(data.read_idx(write_idx(tmp_path / "f.idx", a, type_code=0x0D)), a)
    b = gen(1).integers(-5, 5, (4,)).astype(np.int32)
    np.testing.assert_array_equal(data.read_idx(write_idx(tmp_path / "i.idx", b, type_code=0x0C)), b)


def test_load_mnist_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="path"):
        data.load_mnist(tmp_path / "nowhere")
    with pytest.raises(FileNotFoundError, match="train-images"):
        data.load_mnist(tmp_path)
    with pytest.raises(FileNotFoundError, match="IDX file not found"):
        data.read_idx(tmp_path / "missing")
    make_mnist(tmp_path)
    img = tmp_path / "train-images-idx3-ubyte"
    good = img.read_bytes()
    img.write_bytes(b"PK\x03\x04 this is a zip, not IDX")
    with pytest.raises(ValueError, match="not an IDX file"):
        data.load_mnist(tmp_path)
    img.write_bytes(good[:-10])
    with pytest.raises(ValueError, match="needs"):
        data.load_mnist(tmp_path)
    img.write_bytes(good[:6])
    with pytest.raises(ValueError, match="truncated"):
        data.load_mnist(tmp_path)
    write_idx(img, np.zeros((12, 784), np.uint8))  # 2-D images
    with pytest.raises(ValueError, match="3-D"):
        data.load_mnist(tmp_path)
    write_idx(img, np.zeros((11, 28, 28), np.uint8))  # one label too many
    with pytest.raises(ValueError, match="one label per image"):
        data.load_mnist(tmp_path)
    write_idx(img, np.zeros((12, 28, 28), np.uint8))
    write_idx(tmp_path / "t10k-labels-idx1-ubyte", np.full(5, 11, np.uint8))
    with pytest.raises(ValueError, match="0..9"):
        data.load_mnist(tmp_path)
    write_idx(tmp_path / "t10k-labels-idx1-ubyte", np.zeros(5, np.uint8))
    with pytest.raises(ValueError, match="n_val"):
        data.load_mnist(tmp_path, n_val=12)
    (tmp_path / "x.gz").write_bytes(b"not gzip at all")
    with pytest.raises(ValueError, match="gzip"):
        data.read_idx(tmp_path / "x.gz")

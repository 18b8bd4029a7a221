"""Smooth regressors: a small neural net and a Gaussian process, forward passes in numpy."""

from __future__ import annotations

import numpy as np

from bench.surrogate._models import Standardised

#: Points the Gaussian process's kernel hyperparameters are fitted on (the cubic cost).
GP_KERNEL_FIT_POINTS = 400


class NeuralNet(Standardised):
    """scikit-learn's MLPRegressor (ReLU, Adam) on standardised targets; numpy forward pass.

    Args:
        hidden: layer widths; penalty: L2 penalty (alpha); iterations: max_iter.
    """

    def __init__(self, hidden: tuple[int, ...] = (64, 64), penalty: float = 1e-3,
                 iterations: int = 800) -> None:
        self.hidden = hidden
        self.penalty = penalty
        self.iterations = iterations

    def fit(self, points: np.ndarray, targets: np.ndarray) -> NeuralNet:
        import warnings

        from sklearn.exceptions import ConvergenceWarning
        from sklearn.neural_network import MLPRegressor

        model = MLPRegressor(hidden_layer_sizes=self.hidden, alpha=self.penalty, max_iter=self.iterations,
                             learning_rate_init=3e-3, random_state=0, tol=1e-6, n_iter_no_change=30)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(points, self._standardise(targets))
        self.weights = [np.ascontiguousarray(w) for w in model.coefs_]
        self.biases = [np.ascontiguousarray(b) for b in model.intercepts_]
        return self

    def predict(self, points: np.ndarray) -> np.ndarray:
        activation = np.asarray(points, dtype=float)
        for weight, bias in zip(self.weights[:-1], self.biases[:-1], strict=False):
            activation = np.maximum(activation @ weight + bias, 0.0)
        return self._restore(activation @ self.weights[-1] + self.biases[-1])

    def predict_one(self, point: np.ndarray) -> np.ndarray:
        return self.predict(point)


class GaussianProcess(Standardised):
    """Gaussian process, Matern 5/2 with one length scale per dimension, plus white noise.

    The kernel's hyperparameters are fitted on at most GP_KERNEL_FIT_POINTS points (the
    likelihood costs n^3 per step), then the posterior mean uses every point with that kernel.
    Rasmussen & Williams, Gaussian Processes for Machine Learning, 2006: http://gaussianprocess.org/gpml/
    """

    def fit(self, points: np.ndarray, targets: np.ndarray) -> GaussianProcess:
        import warnings

        from sklearn.exceptions import ConvergenceWarning
        from sklearn.gaussian_process import GaussianProcessRegressor
        from sklearn.gaussian_process.kernels import ConstantKernel, Matern, WhiteKernel

        standardised = self._standardise(targets)
        kernel = (ConstantKernel(1.0, (1e-2, 1e2))
                  * Matern(np.full(points.shape[1], 0.3), (1e-2, 1e2), nu=2.5)
                  + WhiteKernel(0.05, (1e-5, 1.0)))
        chosen = np.random.default_rng(0).permutation(len(points))[:GP_KERNEL_FIT_POINTS]
        with warnings.catch_warnings():
            # A length scale at its upper bound only says that dimension hardly matters.
            warnings.simplefilter("ignore", ConvergenceWarning)
            tuned = GaussianProcessRegressor(kernel, random_state=0).fit(points[chosen], standardised[chosen])
        model = GaussianProcessRegressor(tuned.kernel_, optimizer=None).fit(points, standardised)
        product = model.kernel_.k1
        self.amplitude = float(product.k1.constant_value)
        self.length_scales = np.asarray(product.k2.length_scale, dtype=float) * np.ones(points.shape[1])
        self.train_points = np.ascontiguousarray(points / self.length_scales)
        self.alpha = np.ascontiguousarray(model.alpha_)
        return self

    def _covariance(self, points: np.ndarray) -> np.ndarray:
        scaled = np.asarray(points, dtype=float) / self.length_scales
        squared = ((scaled[:, None, :] - self.train_points[None, :, :]) ** 2).sum(axis=-1)
        root5_distance = np.sqrt(5.0 * squared)
        return self.amplitude * (1.0 + root5_distance + root5_distance ** 2 / 3.0) * np.exp(-root5_distance)

    def predict(self, points: np.ndarray) -> np.ndarray:
        return self._restore(self._covariance(points) @ self.alpha)

    def predict_one(self, point: np.ndarray) -> np.ndarray:
        return self.predict(point[None, :])[0]

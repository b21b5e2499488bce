"""``LBFGS``: limited-memory BFGS with an optional strong-Wolfe line search, as PyTorch's
``torch/optim/lbfgs.py`` computes it.

L-BFGS decides in Python (whether to stop, whether a curvature pair is kept, the line search's
brackets), so its step reads tensor values, as PyTorch's does; it is not meant to be traced.  On
a lazy backend (Dask) each iteration's results are computed and kept in memory before the next
one reads values (:func:`~pluggrad.optim.optimizer.finish_step`).
"""

from __future__ import annotations

from .. import ops as _ops
from .._core.grad_mode import enable_grad, no_grad
from ._helpers import check_lr, check_non_negative
from ._line_search import strong_wolfe
from .optimizer import Optimizer, finish_step, tensors_in

__all__ = ["LBFGS"]


class LBFGS(Optimizer):
    """L-BFGS, heavily inspired by minFunc (as PyTorch's).

    Parameters
    ----------
    params : iterable
        The tensors to optimize: one group only, all real.
    lr : float, default 1
    max_iter : int, default 20
        Iterations per ``step``.
    max_eval : int, optional
        Loss evaluations per ``step`` (default ``max_iter * 5 // 4``).
    tolerance_grad : float, default 1e-7
        Stop when the largest gradient component is at most this.
    tolerance_change : float, default 1e-9
        Stop when the loss or the parameters change less than this.
    history_size : int, default 100
    line_search_fn : {None, "strong_wolfe"}

    Notes
    -----
    ``step(closure)`` needs the closure (it re-evaluates the loss, with grad enabled) and
    returns its first loss.  The state (``d``, ``t``, ``old_dirs``, ``old_stps``, ``ro``,
    ``H_diag``, ``prev_flat_grad``, ``prev_loss``, ``al``, ``func_evals``, ``n_iter``) lives in
    ``state[first parameter]``, as in PyTorch.
    """

    def __init__(
        self,
        params,
        lr: float = 1,
        max_iter: int = 20,
        max_eval: int | None = None,
        tolerance_grad: float = 1e-7,
        tolerance_change: float = 1e-9,
        history_size: int = 100,
        line_search_fn: str | None = None,
    ) -> None:
        check_lr(lr)
        check_non_negative(lr=lr)
        if max_eval is None:
            max_eval = max_iter * 5 // 4
        defaults = {
            "lr": lr,
            "max_iter": max_iter,
            "max_eval": max_eval,
            "tolerance_grad": tolerance_grad,
            "tolerance_change": tolerance_change,
            "history_size": history_size,
            "line_search_fn": line_search_fn,
        }
        super().__init__(params, defaults)
        if len(self.param_groups) != 1:
            raise ValueError("LBFGS doesn't support per-parameter options (parameter groups)")
        self._params = self.param_groups[0]["params"]
        if any(p.is_complex() for p in self._params):
            raise NotImplementedError("pluggrad.optim.LBFGS does not support complex parameters")

    # ---- the parameters as one flat vector ------------------------------------------------------
    def _gather_flat_grad(self):
        views = [
            p.new_zeros(p.numel()) if p.grad is None else p.grad.reshape(-1) for p in self._params
        ]
        return _ops.cat(views, 0)

    def _loss_and_flat_grad(self, loss):
        """The closure's `loss` as a float and the gradients it left, as one flat tensor; on a
        lazy backend both computed in one pass with the parameters, and kept in memory (the step
        reads values from the gradient several times)."""
        flat_grad = self._gather_flat_grad()
        finish_step(tensors_in([loss, flat_grad, self._params]))
        return float(loss), flat_grad

    def _add_grad(self, step_size, update) -> None:
        offset = 0
        for p in self._params:
            numel = p.numel()
            p.add_(update[offset : offset + numel].reshape(p.shape) * step_size)
            offset += numel

    def _clone_param(self):
        return [_ops.clone(p) for p in self._params]

    def _set_param(self, params_data) -> None:
        for p, value in zip(self._params, params_data):
            p.copy_(value)

    def _directional_evaluate(self, closure, x, t, d):
        self._add_grad(t, d)
        loss, flat_grad = self._loss_and_flat_grad(closure())
        self._set_param(x)
        return loss, flat_grad

    # ---- the step --------------------------------------------------------------------------------
    def step(self, closure):  # type: ignore[override]
        """Perform one optimization step (up to `max_iter` iterations).

        Parameters
        ----------
        closure : callable
            Re-evaluates the model and returns the loss (run with grad enabled).

        Returns
        -------
        The closure's first loss.
        """
        with no_grad():
            return self._step(closure)

    def _step(self, closure):
        def evaluate():
            with enable_grad():
                return closure()

        group = self.param_groups[0]
        lr, max_iter, max_eval = group["lr"], group["max_iter"], group["max_eval"]
        tolerance_grad, tolerance_change = group["tolerance_grad"], group["tolerance_change"]
        line_search_fn, history_size = group["line_search_fn"], group["history_size"]

        state = self.state[self._params[0]]
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)

        orig_loss = evaluate()
        loss, flat_grad = self._loss_and_flat_grad(orig_loss)
        current_evals = 1
        state["func_evals"] += 1
        opt_cond = flat_grad.abs().max() <= tolerance_grad
        if opt_cond:  # already optimal
            return orig_loss

        d, t = state.get("d"), state.get("t")
        old_dirs, old_stps, ro = state.get("old_dirs"), state.get("old_stps"), state.get("ro")
        H_diag = state.get("H_diag")
        prev_flat_grad, prev_loss = state.get("prev_flat_grad"), state.get("prev_loss")

        n_iter = 0
        while n_iter < max_iter:
            n_iter += 1
            state["n_iter"] += 1

            # the direction: the steepest descent first, then the two-loop recursion
            if state["n_iter"] == 1:
                d = -flat_grad
                old_dirs, old_stps, ro = [], [], []
                H_diag = 1
            else:
                y = flat_grad - prev_flat_grad
                s = d * t
                ys = y.dot(s)
                if ys > 1e-10:  # keep the pair only where the curvature is positive
                    if len(old_dirs) == history_size:
                        old_dirs.pop(0)
                        old_stps.pop(0)
                        ro.pop(0)
                    old_dirs.append(y)
                    old_stps.append(s)
                    ro.append(1.0 / ys)
                    H_diag = ys / y.dot(y)
                num_old = len(old_dirs)
                if "al" not in state:
                    state["al"] = [None] * history_size
                al = state["al"]
                q = -flat_grad
                for i in range(num_old - 1, -1, -1):
                    al[i] = old_stps[i].dot(q) * ro[i]
                    q.sub_(old_dirs[i] * al[i])
                d = r = q * H_diag
                for i in range(num_old):
                    be_i = old_dirs[i].dot(r) * ro[i]
                    r.add_(old_stps[i] * (al[i] - be_i))

            if prev_flat_grad is None:
                prev_flat_grad = _ops.clone(flat_grad)
            else:
                prev_flat_grad.copy_(flat_grad)
            prev_loss = loss

            # the step length: the first is scaled by the gradient's 1-norm
            if state["n_iter"] == 1:
                t = min(1.0, 1.0 / flat_grad.abs().sum()) * lr
            else:
                t = lr
            # on a lazy backend the direction and the history are computed now, once: the
            # reads below and the line search use them many times
            finish_step(
                tensors_in([d, t, prev_flat_grad, old_dirs, old_stps, ro, H_diag, state.get("al")])
            )
            gtd = flat_grad.dot(d)
            if gtd > -tolerance_change:  # not a descent direction
                break

            ls_func_evals = 0
            if line_search_fn is not None:
                if line_search_fn != "strong_wolfe":
                    raise RuntimeError("only 'strong_wolfe' is supported")
                x_init = self._clone_param()

                def obj_func(x, t, d):
                    return self._directional_evaluate(evaluate, x, t, d)

                loss, flat_grad, t, ls_func_evals = strong_wolfe(
                    obj_func, x_init, t, d, loss, flat_grad, gtd, max_ls=max_eval - current_evals
                )
                self._add_grad(t, d)
                opt_cond = flat_grad.abs().max() <= tolerance_grad
            else:
                self._add_grad(t, d)
                if n_iter != max_iter:
                    # the loss and gradient at the new point, except after the last iteration
                    loss, flat_grad = self._loss_and_flat_grad(evaluate())
                    opt_cond = flat_grad.abs().max() <= tolerance_grad
                    ls_func_evals = 1
            current_evals += ls_func_evals
            state["func_evals"] += ls_func_evals
            # on a lazy backend the iteration happens now: the next one reads values, which
            # would otherwise compute every iteration of this step again
            finish_step(tensors_in([self._params, t]))

            if n_iter == max_iter or current_evals >= max_eval or opt_cond:
                break
            if (d * t).abs().max() <= tolerance_change:  # the parameters barely change
                break
            if abs(loss - prev_loss) < tolerance_change:  # the loss barely changes
                break

        state["d"], state["t"] = d, t
        state["old_dirs"], state["old_stps"], state["ro"] = old_dirs, old_stps, ro
        state["H_diag"] = H_diag
        state["prev_flat_grad"], state["prev_loss"] = prev_flat_grad, prev_loss
        return orig_loss

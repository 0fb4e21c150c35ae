#!/usr/bin/env python3
"""PyTorch peers for rnnlab's benchmark harness (bench/run.ts): the same workloads, written the
way PyTorch users write them, in two styles.

  tuned  idiomatic eager PyTorch at its best: the input projection for all steps in one matmul,
         one addmm per step (leak folded in with one add), unbind instead of indexing, one
         matmul for the readout of all steps, torch.optim.Adam.
  paper  the papers' own formulation (LearningRuleSimilarities' CTRNN, reference-code.md 1.2):
         nn.Linear layers fc_x2ah (with bias), fc_h2ah (no bias), fc_h2y, a learned initial
         state ah0, batch-first inputs indexed per step, the update
         ah <- ah + (dt/tau)(-ah + fc_h2ah(h) + fc_x2ah(x_t)), h = f(ah), rates stacked, then
         the readout; noise off.

Model (rnnlab's convention, DESIGN.md): h_t = alpha h_{t-1} + (1-alpha)(Wh f(h_{t-1}) + Wx x_t + b),
y_t = Wout f(h_t) + bOut, loss = sum m (y - y*)^2 / (nOut sum m). e-prop is the same graph with
the rate entering the recurrent product detached (Wh f(h_{t-1}).detach()): gradients reach Wx, b
(and ah0) through the leak path only.

Modes (one JSON object per line on stdout):
  serve             read JSON commands on stdin, one per line:
                      {"cmd":"setup", "kind":"iteration"|"lyapunov", ...}  -> {"ok":true, ...}
                      {"cmd":"run", "iters":n}                             -> {"times":[seconds...]}
                      {"cmd":"romo", "conditions":[{a1,a2,delay}...]}      -> the sweep peer's Romo arrays
                      {"cmd":"quit"}
  sweep             train a share of a sweep's runs: reads {"runs":[...], ...} on stdin, prints
                    {"ready":true} after setup, waits for a "go" line, then prints the result
  memory            one e-prop (or BPTT) iteration at a given T; prints the peak RSS

All modes use one thread (torch.set_num_threads(1)); the harness also sets OMP_NUM_THREADS=1.
"""
import json
import math
import resource
import sys
import time

import numpy as np
import torch

torch.set_num_threads(1)
try:
    torch.set_num_interop_threads(1)
except RuntimeError:
    pass

DTYPES = {"float32": torch.float32, "float64": torch.float64}


def emit(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def activation(name):
    return {
        "relu": torch.relu,
        "tanh": torch.tanh,
        "retanh": lambda z: torch.relu(torch.tanh(z)),
        "linear": lambda z: z,
    }[name]


def activation_derivative(name):
    if name == "relu":
        return lambda h: (h > 0).to(h.dtype)
    if name == "tanh":
        return lambda h: 1 - torch.tanh(h) ** 2
    if name == "retanh":
        return lambda h: (h > 0).to(h.dtype) * (1 - torch.tanh(h) ** 2)
    return lambda h: torch.ones_like(h)


def tensor(params, name, dims, dtype):
    """Parameter `name` from rnnlab's flat row-major arrays, shaped (row = postsynaptic unit)."""
    N, nIn, nOut = dims
    shape = {"Wh": (N, N), "Wx": (N, nIn), "b": (N,), "Wout": (nOut, N), "bOut": (nOut,), "h0": (N,)}[name]
    return torch.tensor(params[name], dtype=dtype).view(shape)


def masked_mse(Y, targets, mask):
    """sum m (y - y*)^2 / (nOut sum m); Y, targets [..., nOut], mask [...]."""
    return ((Y - targets) ** 2 * mask.unsqueeze(-1)).sum() / (Y.shape[-1] * mask.sum())


# ------------------------------------------------------------------------------------------------
# Models


class TunedRNN(torch.nn.Module):
    """rnnlab's leaky RNN, time-major, written for speed in eager PyTorch."""

    def __init__(self, params, dims, alpha, act, dtype, train_h0=False):
        super().__init__()
        t = lambda k: torch.nn.Parameter(tensor(params, k, dims, dtype))
        self.Wh, self.Wx, self.b, self.Wout, self.bOut = t("Wh"), t("Wx"), t("b"), t("Wout"), t("bOut")
        h0 = tensor(params, "h0", dims, dtype)
        self.h0 = torch.nn.Parameter(h0) if train_h0 else torch.nn.Parameter(h0, requires_grad=False)
        self.alpha = alpha
        self.f = activation(act)

    def forward(self, x, detach_recurrent=False):
        """x [T, B, nIn] -> Y [T, B, nOut]."""
        T, B, nIn = x.shape
        N = self.Wh.shape[0]
        beta = 1.0 - self.alpha
        WhT = (beta * self.Wh).t()
        # beta (Wx x_t + b) for every step at once
        U = torch.addmm(beta * self.b, x.reshape(T * B, nIn), (beta * self.Wx).t()).view(T, B, N)
        h = self.h0.expand(B, N)
        r = self.f(h)
        rates = []
        for u in U.unbind(0):
            pre = torch.addmm(u, r.detach() if detach_recurrent else r, WhT)
            h = torch.add(pre, h, alpha=self.alpha)
            r = self.f(h)
            rates.append(r)
        R = torch.stack(rates)
        return torch.addmm(self.bOut, R.view(T * B, N), self.Wout.t()).view(T, B, -1)


class CTRNN(torch.nn.Module):
    """The papers' formulation (LearningRuleSimilarities' CTRNN; reference-code.md 1.2), noise off."""

    def __init__(self, params, dims, alpha, act, dtype):
        super().__init__()
        N, nIn, nOut = dims
        self.fc_x2ah = torch.nn.Linear(nIn, N).to(dtype)
        self.fc_h2ah = torch.nn.Linear(N, N, bias=False).to(dtype)
        self.fc_h2y = torch.nn.Linear(N, nOut).to(dtype)
        with torch.no_grad():
            self.fc_x2ah.weight.copy_(tensor(params, "Wx", dims, dtype))
            self.fc_x2ah.bias.copy_(tensor(params, "b", dims, dtype))
            self.fc_h2ah.weight.copy_(tensor(params, "Wh", dims, dtype))
            self.fc_h2y.weight.copy_(tensor(params, "Wout", dims, dtype))
            self.fc_h2y.bias.copy_(tensor(params, "bOut", dims, dtype))
        self.ah0 = torch.nn.Parameter(tensor(params, "h0", dims, dtype))  # learned
        self.dt_over_tau = 1.0 - alpha
        self.f = activation(act)

    def forward(self, x, detach_recurrent=False):
        """x [B, T, nIn] (batch-first, as the papers' data) -> Y [B, T, nOut]."""
        B, T, _ = x.shape
        ah = self.ah0.repeat(B, 1)
        h = self.f(ah)
        hstore = []
        for t in range(T):
            hin = h.detach() if detach_recurrent else h
            ah = ah + self.dt_over_tau * (-ah + self.fc_h2ah(hin) + self.fc_x2ah(x[:, t]))
            h = self.f(ah)
            hstore.append(h)
        return self.fc_h2y(torch.stack(hstore, dim=1))


def build(style, params, dims, alpha, act, dtype):
    return TunedRNN(params, dims, alpha, act, dtype) if style == "tuned" else CTRNN(params, dims, alpha, act, dtype)


def make_optimizer(model, lr):
    params = [p for p in model.parameters() if p.requires_grad]
    return torch.optim.Adam(params, lr=lr)


class Iteration:
    """One training iteration (forward, loss, backward, Adam) on a fixed batch."""

    def __init__(self, spec):
        dtype = DTYPES[spec.get("dtype", "float32")]
        T, B, nIn, nOut = spec["T"], spec["B"], spec["nIn"], spec["nOut"]
        self.style = spec["style"]
        self.detach = spec["rule"] == "eprop"
        self.model = build(self.style, spec["params"], (spec["N"], nIn, nOut), spec["alpha"], spec["activation"], dtype)
        self.opt = make_optimizer(self.model, spec.get("lr", 1e-3))
        batch = spec["batch"]
        x = torch.tensor(batch["inputs"], dtype=dtype).view(T, B, nIn)
        y = torch.tensor(batch["targets"], dtype=dtype).view(T, B, nOut)
        m = torch.tensor(batch["mask"], dtype=dtype).view(T, B)
        if self.style == "paper":  # the papers keep data batch-first
            x, y, m = x.transpose(0, 1).contiguous(), y.transpose(0, 1).contiguous(), m.t().contiguous()
        self.x, self.y, self.m = x, y, m

    def loss(self):
        return masked_mse(self.model(self.x, self.detach), self.y, self.m)

    def step(self):
        self.opt.zero_grad(set_to_none=True)
        loss = self.loss()
        loss.backward()
        self.opt.step()
        return loss

    def gradients(self):
        """The rule's gradient at the current parameters, named as rnnlab names them."""
        self.opt.zero_grad(set_to_none=True)
        self.loss().backward()
        m = self.model
        if self.style == "tuned":
            pairs = {"Wh": m.Wh, "Wx": m.Wx, "b": m.b, "Wout": m.Wout, "bOut": m.bOut}
        else:
            pairs = {"Wh": m.fc_h2ah.weight, "Wx": m.fc_x2ah.weight, "b": m.fc_x2ah.bias, "Wout": m.fc_h2y.weight, "bOut": m.fc_h2y.bias}
        return {k: v.grad.detach().double().flatten().tolist() for k, v in pairs.items()}


class Lyapunov:
    """Lyapunov spectrum by QR every step (torch.linalg.qr), positive-diagonal sign fix, natural log.

    Autonomous network (x = 0): J_t = a I + (1 - a) Wh diag(f'(h_t)), Q0 = first k columns of I,
    no warm-up; lambda_i = (1/steps) sum_t log R_ii (per step).
    """

    def __init__(self, spec):
        dtype = torch.float64
        dims = (spec["N"], spec.get("nIn", 0), spec.get("nOut", 1))
        self.Wh = tensor(spec["params"], "Wh", dims, dtype)
        self.b = tensor(spec["params"], "b", dims, dtype)
        self.h0 = tensor(spec["params"], "h0", dims, dtype)
        self.a = spec["alpha"]
        self.k = spec["k"]
        self.steps = spec["steps"]
        self.f = activation(spec["activation"])
        self.df = activation_derivative(spec["activation"])

    @torch.no_grad()
    def run(self):
        N = self.Wh.shape[0]
        a, c = self.a, 1.0 - self.a
        Q = torch.eye(N, self.k, dtype=torch.float64)
        h = self.h0.clone()
        S = torch.zeros(self.k, dtype=torch.float64)
        for _ in range(self.steps):
            D = self.df(h)
            JQ = torch.addmm(Q, self.Wh, D.unsqueeze(1) * Q, beta=a, alpha=c)
            h = a * h + c * (torch.mv(self.Wh, self.f(h)) + self.b)
            Q, R = torch.linalg.qr(JQ)
            d = torch.diagonal(R)
            s = torch.where(d < 0, -torch.ones_like(d), torch.ones_like(d))
            Q = Q * s
            S += torch.log(d * s)
        return S / self.steps


def serve():
    work = None
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        cmd = json.loads(line)
        if cmd["cmd"] == "quit":
            break
        if cmd["cmd"] == "setup":
            if cmd["kind"] == "iteration":
                work = Iteration(cmd)
                with torch.no_grad():
                    loss0 = float(work.loss())
                reply = {"ok": True, "loss0": loss0, "torch": torch.__version__, "threads": torch.get_num_threads()}
                if cmd.get("returnGradients"):
                    reply["grads"] = work.gradients()
                emit(reply)
            elif cmd["kind"] == "lyapunov":
                work = Lyapunov(cmd)
                spectrum = work.run()
                emit({"ok": True, "exponents": spectrum.tolist(), "torch": torch.__version__, "threads": torch.get_num_threads()})
            else:
                emit({"ok": False, "error": "unknown kind " + str(cmd["kind"])})
        elif cmd["cmd"] == "romo":
            c = cmd["conditions"]
            x, y, m = romo_arrays([k["a1"] for k in c], [k["a2"] for k in c], [k["delay"] for k in c])
            emit({"inputs": x.flatten().tolist(), "targets": y.flatten().tolist(), "mask": m.flatten().tolist()})
        elif cmd["cmd"] == "run":
            times = []
            for _ in range(int(cmd["iters"])):
                t0 = time.perf_counter()
                if isinstance(work, Iteration):
                    work.step()
                else:
                    work.run()
                times.append(time.perf_counter() - t0)
            emit({"times": times})
        else:
            emit({"ok": False, "error": "unknown command " + str(cmd["cmd"])})


# ------------------------------------------------------------------------------------------------
# Sweep throughput (workload 6): Romo as rnnlab defines it (ts/tasks/romo.ts), 500 iterations per run


def romo_batch(rng, B, dtype):
    """Schuessler et al. 2020 Romo, dt = 0.5, two output channels, T = 56: inputs [T,B,1], targets [T,B,2], mask [T,B]."""
    a1 = np.empty(B)
    a2 = np.empty(B)
    for b in range(B):
        while True:
            u, v = rng.uniform(0.5, 1.5, 2)
            if abs(u - v) >= 0.2:
                a1[b], a2[b] = u, v
                break
    delay = rng.uniform(2.0, 8.0, B)
    x, y, m = romo_arrays(a1, a2, delay)
    return (torch.tensor(x, dtype=dtype), torch.tensor(y, dtype=dtype), torch.tensor(m, dtype=dtype))


def romo_arrays(a1, a2, delay):
    """Romo trials with given amplitudes and delays (in tau): numpy inputs [T,B,1], targets [T,B,2], mask [T,B]."""
    T = 56
    fix, stim, dec_delay, dec = 6, 2, 10, 20
    a1, a2 = np.asarray(a1, dtype=float), np.asarray(a2, dtype=float)
    delay = np.floor(np.asarray(delay, dtype=float) / 0.5 + 1e-9).astype(int)
    B = len(a1)
    t = np.arange(T)[:, None]
    s1 = fix
    s2 = fix + stim + delay  # start of the second pulse, per trial
    d0 = s2 + stim + dec_delay  # start of the decision window
    x = np.where((t >= s1) & (t < s1 + stim), a1, 0.0) + np.where((t >= s2) & (t < s2 + stim), a2, 0.0)
    decision = (t >= d0) & (t < d0 + dec)
    first = (a1 >= a2)[None, :]
    y = np.zeros((T, B, 2))
    y[:, :, 0] = np.where(decision & first, 0.5, 0.0)
    y[:, :, 1] = np.where(decision & ~first, 0.5, 0.0)
    m = ((t < s2 + stim) | decision).astype(float)
    return x[:, :, None], y, m


def init_params(rng, N, nIn, nOut, gain):
    """Flat arrays. Wh ~ N(0, g^2/N); Wx, Wout ~ U(+-1/sqrt(fan_in)) (yang2020, nn.Linear defaults); biases, h0 zero."""
    return {
        "Wh": (rng.standard_normal(N * N) * gain / math.sqrt(N)).tolist(),
        "Wx": rng.uniform(-1 / math.sqrt(nIn), 1 / math.sqrt(nIn), N * nIn).tolist(),
        "b": [0.0] * N,
        "Wout": rng.uniform(-1 / math.sqrt(N), 1 / math.sqrt(N), nOut * N).tolist(),
        "bOut": [0.0] * nOut,
        "h0": [0.0] * N,
    }


def run_one(style, run, settings):
    dtype = DTYPES[settings.get("dtype", "float32")]
    rng = np.random.default_rng(run["seed"])
    torch.manual_seed(run["seed"])
    N, B, iters = settings["hidden"], settings["batch"], settings["iters"]
    model = build(style, init_params(rng, N, 1, 2, run["gain"]), (N, 1, 2), settings["alpha"], settings["activation"], dtype)
    opt = make_optimizer(model, run["lr"])
    detach = settings.get("rule", "bptt") == "eprop"

    def to_style(x, y, m):
        return (x, y, m) if style == "tuned" else (x.transpose(0, 1).contiguous(), y.transpose(0, 1).contiguous(), m.t().contiguous())

    ex, ey, em = to_style(*romo_batch(rng, settings["evalBatch"], dtype))
    with torch.no_grad():
        before = float(masked_mse(model(ex), ey, em))
    curve = []
    running = 0.0
    for it in range(1, iters + 1):
        x, y, m = to_style(*romo_batch(rng, B, dtype))
        opt.zero_grad(set_to_none=True)
        loss = masked_mse(model(x, detach), y, m)
        loss.backward()
        opt.step()
        running += loss.item()
        if it % settings["logEvery"] == 0:
            curve.append(running / settings["logEvery"])
            running = 0.0
    with torch.no_grad():
        after = float(masked_mse(model(ex), ey, em))
    return {"before": before, "after": after, "last": curve[-1] if curve else None}


def sweep(style):
    job = json.loads(sys.stdin.readline())
    emit({"ready": True, "runs": len(job["runs"])})
    sys.stdin.readline()  # "go"
    t0 = time.perf_counter()
    results = [run_one(style, run, job["settings"]) for run in job["runs"]]
    emit({"runs": len(results), "seconds": time.perf_counter() - t0, "results": results})


# ------------------------------------------------------------------------------------------------
# Peak memory (workload 7)


def memory(spec):
    """One iteration at T; peak resident memory before and after (KB, ru_maxrss)."""
    rng = np.random.default_rng(1)
    N, B, T, nIn, nOut = spec["N"], spec["B"], spec["T"], spec["nIn"], spec["nOut"]
    params = init_params(rng, N, nIn, nOut, spec.get("gain", 1.0))
    batch = {
        "inputs": rng.standard_normal(T * B * nIn).tolist(),
        "targets": (0.5 * rng.standard_normal(T * B * nOut)).tolist(),
        "mask": [1.0] * (T * B),
    }
    it = Iteration({**spec, "params": params, "batch": batch})
    del batch, params
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    it.step()
    seconds = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    emit({"T": T, "baselineKB": baseline, "peakKB": peak, "seconds": seconds})


def main():
    mode = sys.argv[1] if len(sys.argv) > 1 else "serve"
    if mode == "serve":
        serve()
    elif mode == "sweep":
        sweep(sys.argv[2])
    elif mode == "memory":
        memory(json.loads(sys.argv[2]))
    elif mode == "version":
        emit({"torch": torch.__version__, "numpy": np.__version__, "threads": torch.get_num_threads()})
    else:
        sys.exit("unknown mode " + mode)


if __name__ == "__main__":
    main()

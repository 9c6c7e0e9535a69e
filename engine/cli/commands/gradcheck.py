"""`layerlab gradcheck PROJECT`: autograd vs numerical gradients, per parameter tensor."""

from __future__ import annotations

from engine.project import load_project


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "gradcheck", help="compare autograd gradients with numerical ones (float64)",
        description="Compute each parameter tensor's gradient by autograd and by central differences in "
                    "float64 on a few samples and print the maximum relative error per tensor. Exit 0 if every "
                    "error is within the tolerance, 1 if not, 2 if the project cannot be used.")
    parser.add_argument("project", help="a .layerlab project file")
    parser.add_argument("--batch", type=int, default=4, help="samples in the batch (default 4)")
    parser.add_argument("--eps", type=float, default=1e-6, help="finite-difference step (default 1e-6)")
    parser.add_argument("--entries", type=int, default=20, help="entries checked per tensor (default 20)")
    parser.add_argument("--tolerance", type=float, default=1e-5, help="largest accepted relative error")
    parser.add_argument("--seed", type=int, default=0)
    parser.set_defaults(func=run)


def run(args) -> int:
    if args.batch < 1 or args.entries < 1 or args.eps <= 0 or args.tolerance <= 0:
        print("error: --batch and --entries must be at least 1; --eps and --tolerance must be positive.")
        return 2
    from engine.training.gradcheck import gradient_check

    results = gradient_check(load_project(args.project), batch=args.batch, eps=args.eps, entries=args.entries,
                             seed=args.seed, tolerance=args.tolerance)
    width = max(len(r.name) for r in results) if results else 10
    print(f"{'parameter'.ljust(width)}  {'shape':<16} {'checked':>7}  {'max rel error':>13}  {'max abs error':>13}")
    worst = 0.0
    for r in results:
        flag = "  FAIL" if r.max_relative_error > args.tolerance else ""
        worst = max(worst, r.max_relative_error)
        print(f"{r.name.ljust(width)}  {str(list(r.shape)):<16} {r.entries:>7}  {r.max_relative_error:>13.3e}  "
              f"{r.max_abs_error:>13.3e}{flag}")
    if results:
        print(f"(differences below the finite-difference noise, {results[0].noise:.1e}, count as exact)")
    verdict = "ok" if worst <= args.tolerance else "FAILED"
    print(f"{verdict}: largest relative error {worst:.3e} (tolerance {args.tolerance:g})")
    return 0 if worst <= args.tolerance else 1

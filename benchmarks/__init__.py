"""kaltura-mm benchmarks: ``python -m benchmarks [--smoke] [--only NAME ...]``.

Each module ``benchmarks/bench_*.py`` defines ``run(ctx: Context) -> list[Row]``. The runner prints
one table of medians and ratios against baselines measured in the same run, and writes JSON to
``benchmarks/results/latest.json``.
"""

"""``python -m kaltura_mm``: the command line (how ``--workers`` starts its worker processes)."""

from kaltura_mm.cli import run

if __name__ == "__main__":
    run()

"""Compile the extraction's hot modules with mypyc (sitrep.native); `--if-stale` skips a build that is current.

Run by the make targets with SITREP_NATIVE=0 so that the import itself does not warn about a stale build."""
import sys

from sitrep import native

if __name__ == "__main__":
    sys.exit(0 if "--if-stale" in sys.argv[1:] and native.is_fresh() else native.build())

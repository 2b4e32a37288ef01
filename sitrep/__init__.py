"""sitrep's pure logic: parsing, extraction, resolution; no Dagster here.

The extraction's hot modules run compiled when `make` has built them from these very sources (sitrep.native),
and as plain Python otherwise."""
from sitrep import native as _native

_native.use_compiled(__path__)

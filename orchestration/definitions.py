"""The Dagster code location: every asset, check, job, schedule and sensor of sitrep."""
from orchestration.graph import build_defs
from orchestration.resources import articles_dir_from_env, warehouse_path_from_env

defs = build_defs(warehouse_path_from_env(), articles_dir_from_env())

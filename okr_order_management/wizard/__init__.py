from . import okr_cycle_generate

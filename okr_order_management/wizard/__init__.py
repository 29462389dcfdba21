from . import okr_cycle_generate
from . import okr_cycle_close

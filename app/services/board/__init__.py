"""The sales control board 销控: unit status moves (unit_status), the grid read side and its
cells (grid, cells), the 房源表 import (unit_sheet, unit_rows, unit_import) and hall display
links (displays)."""

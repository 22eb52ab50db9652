"""The 房源表 as offices keep it: read tolerant .xlsx/.csv sheets, write the same layout.

Reading finds the header row under any title rows, matches common Chinese header variants,
fills merged building/floor cells, and hands back raw cell values with their row numbers;
unit_import validates them. Nothing here touches the database.
"""
import csv
import io
import re
from dataclasses import dataclass, field

from app.services.errors import RuleViolation
from app.xlsx import Column, build_workbook, read_workbook

FIELDS = {
    "building": ("楼栋", "栋号", "楼号", "栋", "楼栋号", "楼座", "座", "幢", "幢号", "楼宇",
                 "楼栋名称", "building"),
    "entrance": ("单元", "单元名称", "所在单元", "entrance"),
    "floor": ("楼层", "层", "层数", "所在楼层", "层号", "floor"),
    "unit_no": ("房号", "单元号", "房间号", "户号", "室号", "房源编号", "房源号", "房屋编号",
                "unitno", "unit"),
    "layout": ("户型", "房型", "户型结构", "户型名称", "layout"),
    "building_area": ("建筑面积", "建面", "面积", "预测面积", "预售面积", "实测面积",
                      "预测建筑面积", "实测建筑面积", "销售面积", "area"),
    "inner_area": ("套内面积", "套内建筑面积", "套内", "套内建面", "使用面积"),
    "orientation": ("朝向", "方位"),
    "product_type": ("业态", "产品类型", "物业类型", "产品业态"),
    "unit_price": ("单价", "建筑单价", "建面单价", "销售单价", "表价单价", "标准单价", "报价单价",
                   "挂牌单价", "均价", "unitprice"),
    "total_price": ("总价", "销售总价", "表价总价", "标准总价", "房屋总价", "总房款", "表价",
                    "报价总价", "挂牌总价", "totalprice"),
}
LABELS = {"building": "楼栋", "entrance": "单元", "floor": "楼层", "unit_no": "房号",
          "layout": "户型",
          "building_area": "建筑面积", "inner_area": "套内面积", "orientation": "朝向",
          "product_type": "业态", "unit_price": "单价", "total_price": "总价"}
SYNONYMS = {name: key for key, names in FIELDS.items() for name in names}
COLUMNS = [Column("楼栋", "building", width=10), Column("单元", "entrance", width=8),
           Column("楼层", "floor", "int", 8),
           Column("房号", "unit_no", width=10), Column("户型", "layout", width=16),
           Column("建筑面积(㎡)", "building_area", "area", 13),
           Column("套内面积(㎡)", "inner_area", "area", 13), Column("朝向", "orientation", width=8),
           Column("单价(元/㎡)", "unit_price", "money", 14),
           Column("总价(元)", "total_price", "money", 16)]
TEMPLATE_NOTES = [
    "房源表填写说明",
    "1. 每行一套房源;楼栋、楼层、房号、户型、建筑面积为必填。",
    "2. 单价与总价至少填一项;只填一项时,另一项按项目的取整规则自动计算。",
    "3. 面积单位为平方米,价格单位为元;可带千分位、「元」「㎡」「万」等单位。",
    "4. 表头可以有标题行;楼栋、楼层可用合并单元格;也可每个楼栋一个工作表(以表名为楼栋)。",
    "5. 有单元的楼栋请填「单元」列(如 1、2),房号可在各单元重复;房号也可写成「1-0801」(单元-房号)。",
    "6. 总价可用万元填写,表头写「总价(万元)」即可。",
    "7. 再次导入时只修改未售房源的价格和属性;已有定金、已认购或已签约的房源保持不变。",
    "8. 新增的房源默认为「销控」状态,由销售经理推售。",
    "9. 「业态」列可选:小高层、洋房、别墅、别墅(300万以上)、商铺;佣金规则按业态计算。",
]
HEADER_SCAN_ROWS = 15
BRACKETS = re.compile(r"[（(【\[].*?[)）】\]]")
PUNCTUATION = re.compile(r"[\s:：*※#]")
UNIT_SUFFIX = re.compile(r"(元/㎡|元/平方米|元/平米|/㎡|㎡|m²|m2|平方米|平米|万元|元)$")
TOTAL_WORDS = ("合计", "小计", "总计")


@dataclass
class SheetRow:
    sheet: str
    line: int  # the row number the spreadsheet shows
    values: dict  # field → raw cell value


@dataclass
class Sheet:
    rows: list = field(default_factory=list)
    ignored: list = field(default_factory=list)  # header texts we did not use
    scale: dict = field(default_factory=dict)  # field → 10000 when the header says 万元
    missing: list = field(default_factory=list)  # (sheet title, [required labels it lacks])
    multi_sheet: bool = False
    headers: int = 0  # sheets in which a header row was found


def _normalise(text):
    text = PUNCTUATION.sub("", BRACKETS.sub("", str(text or "").strip().lower()))
    return text if text in SYNONYMS else UNIT_SUFFIX.sub("", text)  # 单元 is not 单 + 元


def match_header(cells):
    """{field: column index} for a header row, plus the texts it did not recognise."""
    found, ignored, scale = {}, [], {}
    for index, cell in enumerate(cells):
        if cell is None or str(cell).strip() == "":
            continue
        key = SYNONYMS.get(_normalise(cell))
        if key is None or key in found:
            ignored.append(str(cell).strip())
            continue
        found[key] = index
        if "万" in str(cell) and key in ("unit_price", "total_price"):
            scale[key] = 10000
    return found, ignored, scale


def read_file(filename, data):
    """Parse an uploaded 房源表 (.xlsx or .csv) into a Sheet, or raise RuleViolation."""
    return _read_table(read_tables(data))


def read_tables(data):
    """An upload's sheets as [(title, rows of cell values)]: .xlsx (merged cells filled) or
    CSV (UTF-8 or GBK). Every import reads its file here, so one set of bounds applies."""
    if data[:4] == b"PK\x03\x04":
        return read_workbook(data)
    if data[:4] == b"\xd0\xcf\x11\xe0":
        raise RuleViolation("不支持旧版 Excel(.xls)文件:请在 Excel 中「另存为」.xlsx 后再导入",
                            "file")
    text = _decode(data)
    if text is None or "\x00" in text:
        raise RuleViolation("文件不是 Excel(.xlsx)或 CSV 文件", "file")
    sample = text[:4096]
    dialect = csv.excel_tab if sample.count("\t") > sample.count(",") else csv.excel
    return [("CSV", list(csv.reader(io.StringIO(text), dialect)))]


def _decode(data):
    for encoding in ("utf-8-sig", "gb18030"):  # Excel in China saves CSV as GBK
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def _read_table(tables):
    sheet = Sheet(multi_sheet=len(tables) > 1)
    for title, table in tables:
        header_at, columns = None, None
        for index, cells in enumerate(table[:HEADER_SCAN_ROWS]):
            found, ignored, scale = match_header(cells)
            if "unit_no" in found and len(found) >= 3:
                header_at, columns = index, found
                sheet.ignored += [text for text in ignored if text not in sheet.ignored]
                sheet.scale.update(scale)
                break
        if header_at is None:
            continue  # a notes sheet, a cover page: not part of the unit list
        sheet.headers += 1
        lacking = [LABELS[key] for key in ("layout", "building_area") if key not in columns]
        if "unit_price" not in columns and "total_price" not in columns:
            lacking.append("单价或总价")
        if lacking:
            sheet.missing.append((title, lacking))
        _collect(sheet, title, table, header_at, columns)
    if not sheet.headers:
        raise RuleViolation("没有找到表头:表中应有「房号」「户型」「建筑面积」「单价」或「总价」"
                            "等列,可下载模板对照", "file")
    return sheet


def _collect(sheet, title, table, header_at, columns):
    last_building = None
    for offset, cells in enumerate(table[header_at + 1:], start=header_at + 2):
        values = {key: cells[i] if i < len(cells) else None for key, i in columns.items()}
        texts = [str(v).strip() for v in values.values() if v is not None and str(v).strip()]
        if not texts or texts[0] in TOTAL_WORDS:
            continue  # blank line or a totals line under the list
        if "building" not in columns:
            values["building"] = title  # one sheet per building, named after it
        elif _blank(values["building"]):
            values["building"] = last_building  # grouped rows leave the building blank
        last_building = values["building"]
        sheet.rows.append(SheetRow(title, offset, values))


def _blank(value):
    return value is None or str(value).strip() == ""


def export_workbook(rows, title="房源表"):
    """The board as .xlsx in the template's layout, plus its status (ignored on import)."""
    columns = COLUMNS + [Column("状态", "status", width=10)]
    return build_workbook(title, columns, rows)


def template_workbook():
    return build_workbook("房源表", COLUMNS, [], notes=TEMPLATE_NOTES)

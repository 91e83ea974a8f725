# ruff: noqa: E501  (a table of translations: one message a line reads best)
"""Writes hub/locale/zh/LC_MESSAGES/hub.po from hub/locale/hub.pot (`pybabel extract -k _ -k N_ --no-location
--sort-output -o hub/locale/hub.pot hub plugins`) and the translations below; a msgid without one is
reported and left untranslated. Rerun after adding messages: python tools/zh_catalogue.py"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ZH = {
    "account": "账号",
    "office": "单位",
    "the database is unavailable; try again shortly": "数据库暂时不可用，请稍后再试",
    "invalid token: it was revoked": "令牌无效：已被吊销",
    "too many requests for this {scope} (limit {limit}); try again in {seconds} s": "该{scope}的请求过多（上限 {limit}），请 {seconds} 秒后再试",
    "... and {count:,} more problems (the first {shown:,} by line are listed)": "……另有 {count:,} 个问题（按行列出前 {shown:,} 个）",
    "checked {done:,}/{total:,} rows ({percent}%)": "已检查 {done:,}/{total:,} 行（{percent}%）",
    "contentBase64 is not base64": "contentBase64 不是 base64 编码",
    "county {county} has no service unit {name}": "县 {county} 没有服务单位“{name}”",
    "done": "完成",
    "downgrading {url} to {revision} ...": "正在将 {url} 降级到 {revision} ……",
    "hub: --demo is for development, not HUB_ENV=production": "hub：--demo 仅用于开发环境，不能在 HUB_ENV=production 下使用",
    "hub: cannot make that token: {reason}": "hub：无法生成该令牌：{reason}",
    "hub: cannot reach the database ({reason})": "hub：无法连接数据库（{reason}）",
    "hub: the database is not migrated ({reason}); run `hub db upgrade`": "hub：数据库尚未迁移（{reason}）；请运行 `hub db upgrade`",
    "hub: cannot read {file}: {reason}": "hub：无法读取 {file}：{reason}",
    "hub: cannot write {file}: {reason}": "hub：无法写入 {file}：{reason}",
    "hub: db downgrade needs --revision (e.g. base)": "hub：db downgrade 需要 --revision（例如 base）",
    "hub: import needs --token (or HUB_TOKEN) or --level/--code": "hub：import 需要 --token（或 HUB_TOKEN），或 --level/--code",
    "hub: import needs KIND and FILE (or --template KIND)": "hub：import 需要 类别 和 文件（或 --template 类别）",
    "hub: interrupted": "hub：已中断",
    "hub: no office level {level!r}": "hub：没有 {level!r} 这一级别",
    "hub: the token is refused: {reason}": "hub：令牌被拒绝：{reason}",
    "hub: there is no database at {path} (in {folder}); run the command in the hub's folder, set HUB_DATABASE_URL, "
    "or create one with `hub db upgrade`": "hub：{path} 处没有数据库（当前目录 {folder}）；请在 hub 所在目录运行，"
    "或设置 HUB_DATABASE_URL，或用 `hub db upgrade` 创建数据库",
    "hub: {file} is {size:,} bytes; at most {limit:,}": "hub：{file} 有 {size:,} 字节，上限 {limit:,} 字节",
    "hub: {file} refused whole: {count:,} problem(s), nothing written": "hub：{file} 整个文件未导入：共 {count:,} 个问题，未写入任何数据",
    "ignored columns (no column of {kind}): {names}": "已忽略的列（不属于 {kind}）：{names}",
    "line {line}, {column}: {message} [{code}]": "第 {line} 行，{column}：{message} [{code}]",
    "line {line}: {message} [{code}]": "第 {line} 行：{message} [{code}]",
    "file: {message} [{code}]": "文件：{message} [{code}]",
    "line {line} has a cell of more than {limit:,} characters; at most {limit:,}": "第 {line} 行有单元格超过 {limit:,} 个字符；上限 {limit:,} 个字符",
    "line {line} has a cell of {count:,} characters; at most {limit:,}": "第 {line} 行有单元格长 {count:,} 个字符；上限 {limit:,} 个字符",
    "line {line} has {count:,} columns; at most {limit:,}": "第 {line} 行有 {count:,} 列；上限 {limit:,} 列",
    "line {line} is not CSV: {reason}": "第 {line} 行不是有效的 CSV：{reason}",
    "migrating {url} to {revision} ...": "正在将 {url} 迁移到 {revision} ……",
    "not an .xlsx workbook (not a zip archive)": "不是 .xlsx 工作簿（不是 zip 压缩包）",
    "not an .xlsx workbook ({reason})": "不是 .xlsx 工作簿（{reason}）",
    "read {done:,} rows": "已读取 {done:,} 行",
    "the CSV file is neither UTF-8 nor GBK text": "CSV 文件既不是 UTF-8 也不是 GBK 编码",
    "the cell is empty": "单元格为空",
    "the column appears twice": "该列出现了两次",
    "the column is missing (the columns are {columns})": "缺少该列（应有的列：{columns}）",
    "the file has no rows": "文件中没有数据行",
    "the file is {size:,} bytes; at most {limit:,}": "文件有 {size:,} 字节，上限 {limit:,} 字节",
    "the sheet has more than {limit:,} rows": "工作表超过 {limit:,} 行",
    "the workbook's part {part} unpacks to {size:,} bytes; at most {limit:,}": "工作簿的部件 {part} 解压后有 {size:,} 字节，上限 {limit:,} 字节",
    "the workbook's part {part} unpacks {ratio:.0f} times its packed size; at most {limit:,}": "工作簿的部件 {part} 解压后是压缩大小的 {ratio:.0f} 倍，上限 {limit:,} 倍",
    "written {done:,}/{total:,} rows ({percent}%)": "已写入 {done:,}/{total:,} 行（{percent}%）",
    "wrote the {kind} template to {file}": "已将 {kind} 模板写入 {file}",
    "{name}: only .xlsx and .csv files are read": "{name}：只能读取 .xlsx 和 .csv 文件",
    "{name}: the file is empty": "{name}：文件为空",
    "{rows} {kind} rows checked (dry run, nothing written)": "已检查 {rows} 行 {kind}（试运行，未写入）",
    "{rows} {kind} rows imported": "已导入 {rows} 行 {kind}",
    "{value!r} is neither {yes} nor {no}": "“{value}”既不是“{yes}”也不是“{no}”",
    "{value!r} is not a whole number": "“{value}”不是整数",
    "{value!r} is not one of {choices}": "“{value}”不在可选值之中：{choices}",
    "{value} is also on line {line}": "{value} 在第 {line} 行也出现了",
    "row {row}: {message}": "第 {row} 条：{message}",
    "township-and-below share": "乡镇及以下岗位占比",
    "RURAL_EDUCATION share": "乡村教育岗位占比",
    "YOUTH_WORK share": "基层青年工作岗位占比",
    "new service county {county}: township-and-below share": "新增服务县 {county}：乡镇及以下岗位占比",
    "{ratio} {share} is below {limit}": "{ratio} {share}，低于 {limit}",
    "{ratio} {share} is above {limit}": "{ratio} {share}，高于 {limit}",
    "warning (two-year transition from {year}): {violation}": "提示（自 {year} 起两年过渡期内）：{violation}",
    "the first {shown:,} of {count:,} problems are marked": "共 {count:,} 个问题，标出了前 {shown:,} 个",
    "problems": "问题",
    "the problems are marked beside their rows in {file}": "问题已标在 {file} 中各行旁边",
    # identity numbers (GB 11643) and stored text
    "an identity number has 18 characters, this one has {count}": "身份证号码应为 18 位，此号码为 {count} 位",
    "an identity number is 17 digits and a digit or X": "身份证号码应为 17 位数字加一位数字或 X",
    "the check character of the identity number does not match (GB 11643)": "身份证号码的校验码不符（GB 11643）",
    "the identity number holds no valid birth date ({date})": "身份证号码中的出生日期无效（{date}）",
    "the birth date {date} of the identity number is not plausible": "身份证号码中的出生日期 {date} 不合常理",
    "is {count} characters long; at most {limit}": "长 {count} 个字符，上限 {limit} 个",
    "contains {character}": "含有不允许的字符 {character}",
    # constant userError messages of the mutations
    "a month is reported once it has begun": "月份开始后才能上报",
    "a month reads like 2027-09": "月份的格式如 2027-09",
    "a post has a headcount of at least 1": "岗位需求人数至少为 1",
    "a project places at least one volunteer": "项目至少安排一名志愿者",
    "a quota cannot be negative": "名额不能为负数",
    "a rejection needs a reason": "不同意时须填写理由",
    "a scale cannot be negative": "规模不能为负数",
    "a value is out of range for what it describes": "数值超出其允许范围",
    "absences are between 0 and the in-post count": "缺勤人数应在 0 与在岗人数之间",
    "give a reason for withdrawing": "请填写退出理由",
    "move a positive amount": "调整数量须为正数",
    "name each application once, at least one": "每个报名只能列一次，至少一个",
    "name each post once, at least one": "每个岗位只能列一次，至少一个",
    "name the training's location": "请填写培训地点",
    "register as a volunteer (registerVolunteer) before applying": "请先注册为志愿者（registerVolunteer）再报名",
    "the account is empty": "登录账号为空",
    "the budget is a positive amount": "预算须为正数",
    "the completion appraisal is empty": "服务期满鉴定为空",
    "the in-post count cannot be negative": "在岗人数不能为负数",
    "the notice ends before it starts": "公示的结束日期早于开始日期",
    "the policy ends before it starts": "政策的结束日期早于开始日期",
    "the policy needs its number": "政策须有文号",
    "the post needs a title": "岗位须有名称",
    "the project needs a name": "项目须有名称",
    "the source and the target cell are the same": "调出与调入的单元相同",
    "the unit needs a name": "服务单位须有名称",
    "the volunteer already holds this post": "该志愿者已在此岗位",
    "the volunteer is not in service": "该志愿者不在岗",
    "this account has already registered a volunteer": "该账号已注册过志愿者",
    "this identity number is already registered": "该身份证号码已注册",
    "this would duplicate an existing record": "这会与已有记录重复",
    "the name is empty": "名称为空",
}
ROOT = Path(__file__).resolve().parent.parent / "hub" / "locale"


def main() -> None:
    with (ROOT / "hub.pot").open("rb") as handle:
        template = read_po(handle)
    template.locale = "zh"
    missing = []
    for message in template:
        if message.id:
            message.string = ZH.get(message.id, "")
            if not message.string:
                missing.append(message.id)
    for msgid, msgstr in ZH.items():  # the userError messages written as plain strings in the mutations
        if msgid not in template:
            template.add(msgid, msgstr)
    target = ROOT / "zh" / "LC_MESSAGES" / "hub.po"
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("wb") as handle:
        write_po(handle, template, width=120, sort_output=True)
    for msgid in missing:
        print(f"untranslated: {msgid}", file=sys.stderr)


if __name__ == "__main__":
    main()

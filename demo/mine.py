"""The demo mine of seed 000: 188 zones in its lines and areas, branches, groups and members.

Pure data, made deterministically (a fixed seed for the names), so every run builds the
same mine and a repeated load can tell what already exists.
"""

import random
from dataclasses import dataclass, field

# (branch id, name, line, area, [(group name = the unit (队/厂/科室), its teams 班组)]).
# Zones per line, as seed 000 §1 counts them: 采煤 23, 开掘 39 (井下生产 62); 机电运输 45,
# 通风安全 22 (井下辅助 67); 地面 59.
BRANCHES = [
    ("B1", "综采支部", "采煤线", "井下生产", [
        ("综采一队", "生产一班 生产二班 生产三班 检修班 运输班 机电班"),
        ("综采二队", "生产一班 生产二班 生产三班 检修班 运输班 机电班"),
        ("综采三队", "生产一班 生产二班 检修班 运输班 机电班"),
        ("准备队", "安装一班 安装二班 回撤班 运料班 检修班 机电班")]),
    ("B2", "掘进支部", "开掘线", "井下生产", [
        ("掘进一队", "掘进一班 掘进二班 掘进三班 掘进四班 支护班 运输班 机电班"),
        ("掘进二队", "掘进一班 掘进二班 掘进三班 掘进四班 支护班 运输班 机电班"),
        ("掘进三队", "掘进一班 掘进二班 掘进三班 掘进四班 支护班 运输班 机电班"),
        ("开拓一队", "开拓一班 开拓二班 开拓三班 锚喷班 运输班 机电班"),
        ("开拓二队", "开拓一班 开拓二班 开拓三班 锚喷班 运输班 机电班"),
        ("综掘队", "综掘一班 综掘二班 综掘三班 检修班 运输班 机电班")]),
    ("B3", "机电支部", "机电运输线", "井下辅助", [
        ("机电队", "综采机电班 掘进机电班 维修一班 维修二班 电工班 焊工班 仪表班 提升机电班"),
        ("供电队", "中央变电所班 采区变电所班 供电一班 供电二班 电缆班 检修班 值守班"),
        ("排水队", "中央泵房班 采区泵房班 排水一班 排水二班 管路班 检修班")]),
    ("B4", "运输支部", "机电运输线", "井下辅助", [
        ("运输一队", "主井皮带班 副井皮带班 大巷皮带班 采区皮带班 集控班 检修一班 检修二班 清煤班"),
        ("运输二队", "胶轮车一班 胶轮车二班 胶轮车三班 车辆维修班 调度班 加油站班 "
                     "运料一班 运料二班"),
        ("提升运输队", "主井提升班 副井提升班 绞车一班 绞车二班 信号把钩班 架线班 轨道班 检修班")]),
    ("B5", "通风支部", "通风安全线", "井下辅助", [
        ("通风队", "测风班 通风设施班 局扇班 防尘一班 防尘二班 隔爆班 注浆防火班 瓦斯检查一班"),
        ("抽采队", "抽采一班 抽采二班 抽采三班 打钻一班 打钻二班 管路班 泵站班"),
        ("安全监测队", "监测监控班 瓦斯检查二班 瓦斯检查三班 束管监测班 人员定位班 "
                       "安全检查班 救护联络班")]),
    ("B6", "地面支部", "地面", "地面", [
        ("选煤厂", "原煤准备班 重介一班 重介二班 浮选班 压滤班 装车班 集控班 机修班 化验班 电工班"),
        ("机修厂", "铆焊班 车工班 支架维修班 电机维修班 锻工班 备件班"),
        ("供应站", "材料库 设备库 油脂库 配件库 采购班 运输班"),
        ("地面生产队", "矸石山班 锅炉房 污水处理站 供水班 地面变电站 储煤场 地磅房 消防班")]),
    ("B7", "后勤支部", "地面", "地面", [
        ("后勤服务中心", "职工食堂 职工浴室 灯房 洗衣房 职工公寓 物业保洁班 绿化班 车队 医务室"),
        ("综合办公室", "办公室 档案室 调度室 信息中心 文印室 接待室"),
        ("经营管理科室", "财务科 经营科 人力资源科 企业管理科 销售科 计划科"),
        ("安全生产科室", "安监处 生产技术科 地测科 机电科 通风科 培训中心 环保科 标准化办公室 "
                       "调度指挥中心 应急救援中心"),
        ("离退休党员", "")]),  # a group with no zone: coverage reports it
]
LINE_PREFIX = {"采煤线": "CM", "开掘线": "KJ", "机电运输线": "JY", "通风安全线": "TF", "地面": "DM"}
# The surface material store nobody answers for (seed 000 §2.4), and the teams without a
# party member that a neighbouring team's member covers (004 §1.6).
UNCOVERED_TEAM = ("供应站", "材料库")
COVERED_BY_NEIGHBOUR = {("供应站", "配件库"): "设备库", ("综合办公室", "文印室"): "档案室"}
SHARED_EVERY = 17  # every 17th zone has two responsible members (004 §1.5)
NEW_MEMBERS = {"综采一队": 1, "离退休党员": 2}  # members without a zone, at first
# One re-assignment (004 §1.7): from this period on, the zone has the unit's new member as
# its head and the old head has no zone; earlier appraisals keep the old head on record.
HANDOVER = ("CM05", "综采一队", "2026-10", "原区长调往准备队任职，由新转入的党员接任区长。")

SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡"
            "余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史")
GIVEN = ("伟刚勇毅俊峰强军平保东文辉力明永健世广志义兴良海山仁波宁贵福生龙元全国胜学祥才发"
         "武新利清飞彬富顺信子杰涛昌成康星光天达安岩中茂进林有坚和彪博诚先敬震振壮会思群豪心"
         "邦承乐绍功松善厚庆磊民友裕河哲江超浩亮政谦亨奇固之轮翰朗伯宏言若鸣朋斌梁栋维启克伦"
         "翔旭鹏泽晨辰士以建家致树炎德行时泰盛雄琛钧冠策腾楠榕风航弘秀娟英华慧巧美娜静淑惠珠")
SURNAME_WEIGHTS = [1 / (rank + 4) for rank in range(len(SURNAMES))]


class Names:
    """Realistic, distinct Chinese names from a fixed seed."""

    def __init__(self, seed: int = 2026):
        self.random = random.Random(seed)
        self.used: set[str] = set()

    def __call__(self) -> str:
        while True:
            given = "".join(self.random.choice(GIVEN) for _ in range(self.random.choice((1, 2))))
            # Common surnames come first in the list and are drawn more often.
            name = self.random.choices(SURNAMES, weights=SURNAME_WEIGHTS)[0] + given
            if name not in self.used:
                self.used.add(name)
                return name


@dataclass
class Mine:
    """Everything the demo creates in the organisation, in the order it is created."""

    branches: list[tuple[str, str]] = field(default_factory=list)
    groups: list[tuple[str, str, str]] = field(default_factory=list)  # id, name, branch
    members: list[tuple[str, str, str]] = field(default_factory=list)  # id, name, group
    zones: list[dict] = field(default_factory=list)  # create_zone's keyword arguments + id
    newcomers: dict[str, list[str]] = field(default_factory=dict)  # unit → member ids
    names: Names = field(default_factory=Names)  # goes on naming the demo's officers

    def zones_of_group(self, group_id: str) -> list[dict]:
        return [z for z in self.zones if z["group_id"] == group_id]

    def handover(self) -> tuple[str, list[str], str, str]:
        """The zone re-assigned, its new heads, the first period they answer for, why."""
        zone_id, unit, period, reason = HANDOVER
        return zone_id, self.newcomers[unit], period, reason

    def responsibles(self, zone: dict, period: str) -> list[str]:
        """The zone's responsible members during `period`."""
        zone_id, heads, since, _ = self.handover()
        if zone["id"] == zone_id and period >= since:
            return heads
        return zone["responsible_member_ids"]


def build_mine() -> Mine:
    """The whole organisation, deterministically."""
    mine = Mine()
    names = mine.names
    group_no = 0
    for branch_id, branch_name, line, area, units in BRANCHES:
        mine.branches.append((branch_id, branch_name))
        for unit, teams in units:
            group_no += 1
            group_id = f"G{group_no:02d}"
            mine.groups.append((group_id, f"{unit}党小组", branch_id))
            for team in teams.split():
                if (unit, team) not in COVERED_BY_NEIGHBOUR:
                    _add_zone(mine, names, group_id, unit, team, line, area)
            mine.newcomers[unit] = [_add_member(mine, names, group_id)
                                    for _ in range(NEW_MEMBERS.get(unit, 0))]
    return mine


def _add_zone(mine: Mine, names: Names, group_id: str, unit: str, team: str, line: str,
              area: str) -> None:
    prefix = LINE_PREFIX[line]
    number = sum(z["line"] == line for z in mine.zones) + 1
    covered = [t for (u, t), by in COVERED_BY_NEIGHBOUR.items() if u == unit and by == team]
    heads = 0 if (unit, team) == UNCOVERED_TEAM else 1 + (len(mine.zones) % SHARED_EVERY == 3)
    mine.zones.append({
        "id": f"{prefix}{number:02d}", "name": f"{unit}{team}责任区", "group_id": group_id,
        "line": line, "area": area, "teams": [f"{unit}{t}" for t in (team, *covered)],
        "responsible_member_ids": [_add_member(mine, names, group_id) for _ in range(heads)],
    })


def _add_member(mine: Mine, names: Names, group_id: str) -> str:
    member_id = f"M{len(mine.members) + 1:03d}"
    mine.members.append((member_id, names(), group_id))
    return member_id

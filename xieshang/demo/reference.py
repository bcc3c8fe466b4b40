"""Fixed reference data of the demo county 蓬安县 (511323).

Names the source article gives are real: 蓬安县, 南充市, 四川省, 罗家镇, 芭茅村, 周子古镇, 漆玉民,
the four named consultations and the 集中供水管护公约. Everything else here — township and
village lists, studio names, units, people — is illustrative: plausible, not a record of fact.
docs/demo.md says which is which.
"""

from __future__ import annotations

COUNTY = {"code": "511323", "name": "蓬安县", "city": "南充市", "province": "四川省"}
TERM = 11  # 届次 of the committee in the demo (illustrative)
YEAR = 2024  # the year the article reports on

#: 23 sectors, as seen in a neighbouring county of the same city (illustrative for 蓬安).
SECTORS = (
    "中共", "民革", "民盟", "民进", "无党派", "共青团", "工会", "妇联", "工商联", "科协", "台联",
    "侨联", "文艺", "科技", "社科", "经济", "农业", "教育", "体育", "医卫", "少数民族", "宗教", "特邀",
)  # fmt: skip

OFFICES = (
    "办公室", "提案委", "经济委", "农业农村委", "科教文卫体委", "社会法制委", "文史委",
    "人口资源环境委", "委员联络委",
)  # fmt: skip

#: Township-level areas and their villages/communities: 15 + 72 = 87 platforms below the
#: county one, 88 in all. (Only 罗家镇 and 芭茅村 are named in the article.)
TOWNSHIPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "相如街道",
        ("嘉陵社区", "相如社区", "玉环社区", "河坝社区", "凤凰社区", "金城社区", "锦江社区"),
    ),
    ("周口街道", ("周子社区", "古镇社区", "龙泉社区", "油房社区", "马鞍社区")),
    ("锦屏镇", ("锦屏村", "桂花村", "石梁村", "青龙村", "白鹤村", "玉溪村")),
    ("罗家镇", ("芭茅村", "罗家村", "红岩村", "双河村", "柏林村")),
    ("巨龙镇", ("巨龙村", "金鸡村", "玉屏村", "太平村", "永安村", "凤鸣村")),
    ("河舒镇", ("河舒村", "清泉村", "长乐村", "茶园村", "宝塔村", "龙滩村")),
    ("徐家镇", ("徐家村", "观音村", "松林村", "竹园村", "大堰村")),
    ("利溪镇", ("利溪村", "杏花村", "梨树村", "牌坊村")),
    ("兴旺镇", ("兴旺村", "石桥村", "古井村", "庙垭村")),
    ("正源镇", ("正源村", "沙溪村", "龙门村", "高坪村")),
    ("金溪镇", ("金溪村", "九龙村", "三清村", "兴隆村")),
    ("睦坝镇", ("睦坝村", "黄桷村", "新华村", "李子村")),
    ("杨家镇", ("杨家村", "凉水村", "碑垭村", "田坝村")),
    ("银汉镇", ("银汉村", "马鞍山村", "水井村", "花园村")),
    ("石孔镇", ("石孔村", "团结村", "回龙村", "光明村")),
)

#: How many of the 250 members live or work in each township-level area (sums to 250).
MEMBERS_PER_TOWNSHIP = (52, 20, 16, 16, 14, 14, 14, 14, 12, 14, 14, 12, 14, 12, 12)

#: The 六有 checklist items used by the demo (a default: the article does not list them).
SIX_HAS_ITEMS = ("venue", "signage", "rules", "staff", "activities", "archive")

#: Platforms (by area name) that lack some 六有 items in the demo.
SIX_HAS_GAPS: dict[str, tuple[str, ...]] = {
    "石孔村": ("signage",),
    "团结村": ("archive", "rules"),
    "花园村": ("archive",),
    "高坪村": ("staff",),
    "庙垭村": ("signage", "archive"),
}

#: 16 pilot studios (2022): name, theme sector, office, township of the host platform.
STUDIOS: tuple[tuple[str, str, str, str], ...] = (
    ("乡村振兴委员工作室", "农业", "农业农村委", "罗家镇"),
    ("助企发展委员工作室", "工商联", "经济委", "相如街道"),
    ("法律服务委员工作室", "特邀", "社会法制委", "相如街道"),
    ("健康守护委员工作室", "医卫", "科教文卫体委", "锦屏镇"),
    ("教育关爱委员工作室", "教育", "科教文卫体委", "河舒镇"),
    ("文旅融合委员工作室", "文艺", "文史委", "周口街道"),
    ("生态环保委员工作室", "科协", "人口资源环境委", "巨龙镇"),
    ("柑橘产业委员工作室", "农业", "农业农村委", "徐家镇"),
    ("社区治理委员工作室", "无党派", "社会法制委", "相如街道"),
    ("巾帼建功委员工作室", "妇联", "委员联络委", "利溪镇"),
    ("青年创业委员工作室", "共青团", "经济委", "兴旺镇"),
    ("民族团结委员工作室", "少数民族", "委员联络委", "正源镇"),
    ("科技兴农委员工作室", "科技", "农业农村委", "金溪镇"),
    ("民生实事委员工作室", "民盟", "提案委", "睦坝镇"),
    ("文史传承委员工作室", "社科", "文史委", "周口街道"),
    ("康养服务委员工作室", "民进", "人口资源环境委", "杨家镇"),
)

#: The five rounds through which each studio's lead member was chosen (illustrative titles).
SELECTION_ROUNDS = (
    ("个人申报", 5),
    ("委室推荐", 4),
    ("资格审查", 3),
    ("述职答辩", 2),
    ("主席会议审定并公示", 1),
)

#: Deliberate gaps in the studios' 2024 records (studio index → what is missing), so that
#: "most studios meet 三个一 and a few miss some windows". Months/quarters/halves are 1-based.
STUDIO_GAPS: dict[int, dict[str, tuple[int, ...]]] = {
    3: {"report_months": (3, 8)},  # 健康守护: no opinion report in March and August
    8: {"report_months": (11,)},  # 社区治理: none in November
    11: {"activity_quarters": (3,)},  # 民族团结: no activity in Q3
    14: {"deed_halves": (2,)},  # 文史传承: no deed in the second half year
}

RESPONSIBLE_UNITS = (
    "县农业农村局", "县经济信息化和科技局", "县文化广播电视和旅游局", "县民政局",
    "县住房和城乡建设局", "县水务局", "县供水公司", "县交通运输局", "县教育局", "县卫生健康局",
    "县自然资源和规划局", "县生态环境局", "县市场监督管理局", "罗家镇人民政府",
)  # fmt: skip

THEMES = (
    "优化营商环境", "推动集体经济发展", "助力基层治理", "乡村振兴", "民生保障", "生态环保",
    "文化旅游", "城乡建设",
)  # fmt: skip

#: Subjects per theme, combined with an area name into candidate topic titles.
THEME_SUBJECTS: dict[str, tuple[str, ...]] = {
    "优化营商环境": ("压缩企业开办时间", "规范涉企行政检查", "破解中小企业融资难", "提升政务服务效能",
                    "清理拖欠企业账款", "完善招商引资配套服务"),
    "推动集体经济发展": ("盘活闲置集体资产", "发展村级特色产业", "规范集体经济组织财务管理",
                        "探索强村公司运营", "推动土地股份合作"),
    "助力基层治理": ("推进网格化服务管理", "化解邻里矛盾纠纷", "加强小区物业管理", "完善村规民约",
                    "提升便民服务水平"),
    "乡村振兴": ("建设宜居宜业和美乡村", "提升农村人居环境", "发展庭院经济", "培育高素质农民",
                "完善农产品冷链物流"),
    "民生保障": ("改善农村饮水安全", "推进医共体建设", "加强留守儿童关爱", "完善养老服务网络",
                "提升公交服务覆盖"),
    "生态环保": ("加强嘉陵江流域保护", "推进农村生活污水治理", "减少农业面源污染",
                "推动垃圾分类", "保护古树名木"),
    "文化旅游": ("打造嘉陵江文旅品牌", "活化利用传统村落", "建设乡村文化阵地", "发展乡村民宿",
                "保护非物质文化遗产"),
    "城乡建设": ("改造老旧小区", "治理城区停车难", "完善农村道路养护", "建设城市口袋公园",
                "推进供排水管网改造"),
}  # fmt: skip

#: Key topics named in the article, with the form and place of their consultation.
NAMED_CONSULTATIONS = (
    ("高质量推进高标准农田建设", "乡村振兴", "专题协商", None, "GOVERNMENT"),
    ("助企纾困加快发展新质生产力", "优化营商环境", "专题协商", None, "PARTY_COMMITTEE"),
    ("推进周子古镇改造和历史文化保护传承", "文化旅游", "对口协商", "周口街道", "GOVERNMENT"),
    ("推进社会适老化改造", "民生保障", "界别协商", None, "MEMBER_PROPOSAL"),
)

#: The 芭茅村 story: a 院坝协商 on central water supply produced a maintenance convention.
WATER_SUPPLY = {
    "topic": "芭茅村集中供水管网管护",
    "theme": "民生保障",
    "consultation": "芭茅村集中供水管护院坝协商",
    "form": "院坝协商",
    "outcome": "集中供水管护公约",
    "outcome_kind": "公约/协议",
    "unit": "县供水公司",
    "task": "按公约定期巡检芭茅村集中供水管网，及时修复破损漏水点",
    "resident": "漆玉民",
    "resident_role": "村党支部书记",
    "comment": "满意，非常满意",
    "suggestion": "希望工作人员定期巡逻",
}

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程魏苏吕丁任沈姚卢傅钟姜崔谭廖范汪陆金石戴贾韦夏邱方侯邹熊孟秦白江阎薛尹段雷黎史龙陶贺顾毛郝龚邵万钱严覃武向"  # noqa: E501
GIVEN_CHARS = "建国华明红英志强军平文辉丽芳秀兰海燕春梅晓东玉霞俊峰德林成杰敏静宇涛超勇刚亮艳娟琳桂萍世荣永兴家福"

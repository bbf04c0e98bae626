#!/usr/bin/env python3
"""Writes the bundled demo news site (data/demo/site/): three fictional outlets publishing
Chinese and English news about three fictional companies, as static files that `yuqing demo`
serves on a loopback port. It includes a GBK-encoded page, an RSS feed, a story republished by
several outlets, and a clearly negative episode (a battery recall) that should raise an alert.

Usage: tools/make_demo_site.py [OUT_DIR]   (default: data/demo/site; the files are committed)
All companies, people and events are invented for the demo."""
import datetime
import email.utils
import html
import os
import sys

OUTLETS = {
    "caijing": {"name": "财经日报", "lang": "zh", "charset": "utf-8"},
    "huanan": {"name": "华南商报", "lang": "zh", "charset": "gbk"},
    "techwire": {"name": "TechWire", "lang": "en", "charset": "utf-8"},
}

REPUBLISHED = [
    "星河科技今日发布第三季度财报，营收同比增长32%，达到86亿元，净利润同比增长41%，创下历史新高。",
    "公司表示，增长主要来自云计算业务和海外市场。云计算收入同比增长58%，海外收入占比首次超过三成。",
    "星河科技首席执行官林晓表示，公司将继续加大研发投入，明年计划在东南亚新建两座数据中心。",
    "多家券商随后上调了星河科技的目标价，认为其盈利能力持续改善，业绩表现超出市场预期。",
    "财报显示，星河科技第三季度毛利率为47.5%，较去年同期提升3.2个百分点；经营活动现金流净额为21亿元，"
    "同比增长36%。公司研发投入达到11亿元，占营收的12.8%，研发人员数量较年初增加了约八百人。",
    "分业务来看，云计算业务收入38亿元，企业软件业务收入27亿元，智能硬件业务收入21亿元。其中企业软件"
    "业务的订阅收入占比进一步提高，客户续约率保持在九成以上，大型客户数量同比增长近四成。",
    "在海外市场方面，公司第三季度在新加坡、马来西亚和印度尼西亚新增了一批政府和金融行业客户，海外收入"
    "达到27亿元。公司预计，随着东南亚数据中心陆续投入使用，海外业务将继续保持较快增长。",
    "对于第四季度，星河科技给出的营收指引为90亿元至94亿元，高于此前市场平均预期。公司同时宣布，将在未来"
    "十二个月内回购不超过20亿元的公司股票，以增强投资者信心。",
]

ARTICLES = [
    # (outlet, slug, published, title, paragraphs)
    ("caijing", "xinghe-q3", "2026-11-20T09:00:00+08:00", "星河科技第三季度营收增长32% 净利润创新高", REPUBLISHED),
    ("huanan", "xinghe-q3", "2026-11-20T11:30:00+08:00", "星河科技第三季度营收增长32% 净利润创新高",
     ["【华南商报讯】" + REPUBLISHED[0]] + REPUBLISHED[1:] + ["（来源：财经日报）"]),
    ("techwire", "xinghe-q3-cn", "2026-11-20T13:00:00+08:00", "星河科技三季度营收增长32%",
     REPUBLISHED + ["本文转载自财经日报，版权归原作者所有。"]),
    ("techwire", "galaxy-tech-cloud", "2026-11-21T10:00:00+00:00",
     "Galaxy Tech wins major cloud contract in Singapore",
     ["Galaxy Tech, the Chinese cloud provider known at home as 星河科技, has won a five-year contract "
      "to run the digital services of a large Singapore logistics group, the company said on Friday.",
      "Analysts called the deal a strong endorsement of its overseas strategy and praised the rapid growth "
      "of its international business.",
      "The company expects the contract to add steady recurring revenue from next year."]),
    ("caijing", "lanhai-bank-rate", "2026-11-21T15:20:00+08:00", "澜海银行下调部分存款利率",
     ["澜海银行昨日宣布，自下周一起下调一年期及三年期定期存款利率，调整幅度为10至15个基点。",
      "银行方面表示，此次调整是根据市场利率变化作出的常规安排，活期存款利率保持不变。",
      "业内人士认为，多家中小银行近期均有类似调整。"]),
    ("huanan", "lanhai-bank-fintech", "2026-11-22T10:10:00+08:00", "澜海银行与星河科技合作推出智能风控平台",
     ["澜海银行与星河科技签署战略合作协议，双方将共同推出面向中小企业的智能风控平台。",
      "新平台利用云计算和大数据技术，可将贷款审批时间从三天缩短到两小时，获得客户的广泛好评。",
      "澜海银行行长周明表示，合作将帮助银行更好地服务实体经济，提升服务效率。"]),
    ("techwire", "northwind-ev-launch", "2026-11-22T08:00:00+00:00", "Northwind Motors unveils its new long-range sedan",
     ["Northwind Motors unveiled the NW7, an electric sedan with a claimed range of 700 kilometres, at an "
      "event in Shenzhen on Saturday.",
      "Early reviewers praised the car's comfortable ride and its competitive price.",
      "Deliveries are expected to begin in the first quarter of next year."]),
    ("caijing", "beifeng-recall", "2026-11-24T09:05:00+08:00", "北风汽车电池起火事故引发召回 三万辆车受影响",
     ["北风汽车今日宣布召回约三万辆NW5电动车，原因是电池组存在过热起火的安全隐患。此前已有多起车辆起火事故被曝光。",
      "多名车主投诉称，车辆在充电时出现冒烟甚至起火，所幸未造成人员伤亡。监管部门已介入调查。",
      "受此消息影响，北风汽车股价盘中大跌12%，创下年内最大跌幅。分析人士担心，此事将严重损害品牌声誉。"]),
    ("huanan", "beifeng-complaints", "2026-11-24T09:30:00+08:00", "北风汽车车主集体投诉 维权困难",
     ["数百名北风汽车车主联名投诉，称公司对电池起火问题反应迟缓，售后服务态度恶劣，维权困难。",
      "有车主表示，车辆多次出现故障却得不到维修，对北风汽车非常失望。",
      "律师指出，如果调查确认存在质量缺陷，公司可能面临巨额赔偿和罚款。"]),
    ("techwire", "northwind-recall", "2026-11-24T01:45:00+00:00", "Northwind Motors recalls 30,000 cars after battery fires",
     ["Northwind Motors is recalling about 30,000 NW5 electric cars after several vehicles caught fire "
      "while charging, the company said on Monday.",
      "Regulators have opened an investigation into the defect, and the shares fell 12 percent, their worst "
      "drop this year.",
      "Owners complained about poor communication and slow repairs, and analysts warned that the crisis could "
      "badly damage the brand."]),
    ("caijing", "beifeng-regulator", "2026-11-24T10:00:00+08:00", "监管部门约谈北风汽车 要求彻查电池安全问题",
     ["市场监管部门今日约谈北风汽车负责人，要求其彻查电池安全问题，并限期提交整改报告。",
      "监管部门指出，北风汽车在事故发生后信息披露不及时，存在违规行为，将依法处罚。",
      "这是北风汽车今年第二次因产品质量问题被约谈。"]),
    ("techwire", "lanhai-results", "2026-11-25T07:30:00+00:00", "Lanhai Bank reports steady third-quarter profit",
     ["Lanhai Bank reported a third-quarter net profit of 2.1 billion yuan, roughly flat from a year earlier.",
      "Its net interest margin was unchanged and loan growth was in line with the sector.",
      "The bank kept its full-year guidance."]),
    ("caijing", "xinghe-award", "2026-11-26T14:00:00+08:00", "星河科技获评年度最佳雇主",
     ["在今年的年度雇主评选中，星河科技凭借良好的员工福利和培训体系获评最佳雇主。",
      "评审认为，星河科技重视人才培养，员工满意度高，企业文化积极向上。"]),
    ("huanan", "beifeng-fix", "2026-11-27T16:00:00+08:00", "北风汽车公布电池整改方案",
     ["北风汽车公布了电池整改方案，将为召回车辆免费更换新一代电池组，并为车主提供代步车。",
      "公司表示，整改工作将在三个月内完成。部分车主对方案表示认可，但也有车主认为补偿不足。"]),
]


def page(outlet, title, published, paragraphs, charset):
    body = "\n".join(f"    <p>{html.escape(p)}</p>" for p in paragraphs)
    name = html.escape(OUTLETS[outlet]["name"])
    return f"""<!DOCTYPE html>
<html lang="{OUTLETS[outlet]['lang']}">
<head>
<meta charset="{charset}">
<title>{html.escape(title)} - {name}</title>
<meta property="article:published_time" content="{published}">
</head>
<body>
<nav><a href="index.html">{name}</a> | <a href="index.html">首页 Home</a></nav>
<article>
  <h1>{html.escape(title)}</h1>
  <time datetime="{published}">{published[:10]}</time>
  <div class="content">
{body}
  </div>
</article>
<footer>Copyright (c) 2026 {name}. All rights reserved.</footer>
</body>
</html>
"""


def index(outlet, items):
    links = "\n".join(f'  <li><a href="{slug}.html">{html.escape(title)}</a></li>' for slug, title in items)
    name = html.escape(OUTLETS[outlet]["name"])
    return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{name}</title></head>
<body><h1>{name}</h1>
<ul>
{links}
</ul>
</body></html>
"""


def rfc822(iso):
    return email.utils.format_datetime(datetime.datetime.fromisoformat(iso))


def rss(outlet, entries):
    items = "\n".join(
        f"  <item><title>{html.escape(t)}</title><link>{slug}.html</link><pubDate>{rfc822(p)}</pubDate></item>"
        for slug, t, p in entries)
    return f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel>
  <title>{html.escape(OUTLETS[outlet]['name'])}</title>
  <link>index.html</link>
{items}
</channel></rss>
"""


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "data", "demo", "site")
    for outlet in OUTLETS:
        os.makedirs(os.path.join(out, outlet), exist_ok=True)
    by_outlet = {o: [] for o in OUTLETS}
    for outlet, slug, published, title, paragraphs in sorted(ARTICLES, key=lambda a: a[2], reverse=True):
        charset = OUTLETS[outlet]["charset"]
        text = page(outlet, title, published, paragraphs, charset)
        with open(os.path.join(out, outlet, slug + ".html"), "wb") as f:
            f.write(text.encode(charset))
        by_outlet[outlet].append((slug, title, published))
    for outlet, entries in by_outlet.items():
        with open(os.path.join(out, outlet, "index.html"), "w", encoding="utf-8") as f:
            f.write(index(outlet, [(s, t) for s, t, _ in entries]))
    with open(os.path.join(out, "techwire", "feed.xml"), "w", encoding="utf-8") as f:
        f.write(rss("techwire", entries=by_outlet["techwire"]))


if __name__ == "__main__":
    main()

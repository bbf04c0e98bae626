/* The fixture site's articles: fictional companies' news in Chinese and English, written for
 * these tests and the demo (no third-party text). Add rows here; the index, feeds and sitemaps
 * follow. */
#include "site.h"

const site_article site_articles[] = {
    {"xinghe-q3-results", "zh", "星河科技第三季度营收同比增长百分之十八", "李明",
     "2024-10-28T09:30:00+08:00",
     {"星河科技今日发布第三季度财报，营收达到四十二亿元，同比增长百分之十八，净利润增长百分之十二。",
      "公司首席执行官王蓉在电话会议上表示，云计算业务是本季度增长的主要动力，海外市场收入占比首次超过三成。",
      "分析师认为，星河科技在数据中心方面的投入开始见效，但原材料成本上升可能在下个季度压缩毛利率。",
      "截至收盘，星河科技股价上涨百分之四点二，报每股三十六点五元。", NULL},
     ARTICLE_HTML},
    {"northwind-recall", "en", "Northwind Robotics recalls 12,000 home vacuum units over battery fault", "Sarah Collins",
     "2024-10-27T16:05:00-04:00",
     {"Northwind Robotics said on Sunday it will recall about 12,000 of its H2 home vacuum robots after "
      "reports that the battery pack could overheat while charging.",
      "The company said no injuries had been reported and that owners should stop using the devices and "
      "contact customer service for a free replacement battery.",
      "Shares of Northwind fell 3.1 percent in after-hours trading. The recall covers units sold between "
      "March and August this year in the United States and Canada.", NULL},
     ARTICLE_HTML},
    {"lanhai-food-safety", "zh", "蓝海食品回应产品抽检不合格：已下架相关批次", "张伟",
     "2024-10-26T20:15:00+08:00",
     {"针对市场监管部门通报的抽检结果，蓝海食品集团今晚发表声明，称已第一时间下架涉事批次产品。",
      "声明表示，问题产品为一款速冻水饺，菌落总数超出国家标准，公司将配合监管部门调查原因。",
      "消费者可凭购物凭证到原购买渠道办理退货。蓝海食品表示将加强生产环节的质量控制。", NULL},
     ARTICLE_HTML},
    {"helios-solar-plant", "en", "Helios Energy opens its largest solar plant in Nevada", "David Park",
     "2024-10-25T11:00:00-07:00",
     {"Helios Energy on Friday opened a 400-megawatt solar plant near Las Vegas, the company's largest "
      "project to date.",
      "The plant will supply electricity to about 120,000 homes under a 20-year agreement with a regional "
      "utility, Helios said in a statement.",
      "Chief executive Maria Lopez said the company plans to add battery storage at the site next year.", NULL},
     ARTICLE_HTML},
    {"xinghe-ai-chip", "zh", "星河科技发布自研人工智能芯片", "陈静",
     "2024-10-24T10:00:00+08:00",
     {"星河科技在年度开发者大会上发布了首款自研人工智能推理芯片“星核一号”，采用七纳米工艺。",
      "公司称，新芯片的能效比上一代方案提升约两倍，将首先部署在自家云服务的数据中心。",
      "业内人士指出，自研芯片有助于降低对外部供应商的依赖，但量产良率仍有待观察。", NULL},
     ARTICLE_HTML},
    {"northwind-ceo", "en", "Northwind Robotics names new chief executive", "Sarah Collins",
     "2024-10-22T08:45:00-04:00",
     {"Northwind Robotics appointed former operations chief James Reed as chief executive, effective "
      "immediately, the company said on Tuesday.",
      "Reed replaces co-founder Anna Berg, who will remain on the board as chair.", NULL},
     ARTICLE_HTML},
    {"lanhai-expansion", "zh", "蓝海食品拟投资十亿元新建华南生产基地", "王芳",
     "2024-10-20T15:20:00+08:00",
     {"蓝海食品集团公告称，公司计划投资十亿元在广东新建生产基地，预计二零二六年投产。",
      "新基地建成后将新增速冻食品产能二十万吨，主要供应华南及东南亚市场。", NULL},
     ARTICLE_HTML},
    {"helios-js-interview", "en", "Interview: Helios Energy on the future of storage", "Emma Wright",
     "2024-10-19T09:00:00-07:00",
     {"Helios Energy's head of research says grid batteries will double in capacity within five years.",
      "She expects sodium-ion cells to compete with lithium for stationary storage by the end of the decade.",
      NULL},
     ARTICLE_JS},
    {"xinghe-gbk-notice", "zh", "星河科技关于召开临时股东大会的公告", "星河科技董事会",
     "2024-10-18T18:00:00+08:00",
     {"星河科技股份有限公司董事会决定于二零二四年十一月八日召开临时股东大会，审议回购股份议案。",
      "本次股东大会采用现场投票与网络投票相结合的方式，股权登记日为十一月一日。", NULL},
     ARTICLE_GBK},
    {0},
};

/* Event types by a rule table: each type has trigger terms (Chinese and English, matched on folded
 * text with word boundaries for Latin terms); a hit in the title counts 3, in the body 1; the type
 * with the highest count of at least MIN_SCORE wins (ties go to the earlier row), else "other". */
#include <pthread.h>
#include <stdlib.h>

#include "yuqing/analyze.h"
#include "yuqing/textproc.h"

enum { MIN_SCORE = 2, TITLE_WEIGHT = 3, N_TYPES = 6 };

/* clang-format off */
const char *const yq_event_types[] = {"earnings", "legal_regulatory", "product", "personnel",
                                      "mergers_acquisitions", "accident_recall", "other", NULL};

static const char *const triggers[N_TYPES][32] = {
    {"财报", "营收", "净利润", "利润", "业绩", "季度", "年报", "盈利", "亏损", "营业收入",
     "revenue", "earnings", "profit", "profits", "quarterly", "net income", "guidance", "eps", "fiscal", "loss",
     NULL},
    {"诉讼", "起诉", "法院", "判决", "监管", "罚款", "处罚", "调查", "违规", "立案", "反垄断", "证监会",
     "lawsuit", "sued", "sues", "court", "regulator", "regulators", "fine", "fined", "antitrust", "investigation",
     "probe", "penalty", "settlement", "judge", NULL},
    {"发布", "推出", "新品", "上线", "产品", "升级", "新款",
     "launch", "launches", "launched", "unveil", "unveils", "unveiled", "release", "released", "product",
     "products", "feature", NULL},
    {"任命", "辞职", "离职", "卸任", "总裁", "首席执行官", "高管", "董事长", "接任",
     "appoint", "appoints", "appointed", "resign", "resigns", "resigned", "steps down", "step down", "hires",
     "executive", "chief executive", "ceo", NULL},
    {"收购", "并购", "合并", "入股", "融资", "出售", "股权", "控股",
     "acquire", "acquires", "acquired", "acquisition", "merger", "merge", "buyout", "stake", "takeover", "deal",
     NULL},
    {"事故", "召回", "爆炸", "火灾", "故障", "泄露", "泄漏", "伤亡", "宕机", "安全事件",
     "recall", "recalls", "recalled", "accident", "explosion", "fire", "outage", "crash", "breach", "leak",
     "injured", "killed", NULL},
};
/* clang-format on */

static yq_matcher *rules;
static pthread_once_t rules_once = PTHREAD_ONCE_INIT;

static void build_rules(void) {
    yq_matcher *m = yq_matcher_new();
    int rc = m ? 0 : -1;
    for (int type = 0; type < N_TYPES && !rc; type++)
        for (int i = 0; triggers[type][i] && !rc; i++)
            rc = yq_matcher_add(m, triggers[type][i], type);
    if (!rc) rc = yq_matcher_build(m);
    if (rc) {
        yq_matcher_free(m);
        m = NULL;
    }
    rules = m;
}

static void count_hits(const char *folded, size_t len, int weight, int score[N_TYPES]) {
    yq_match *matches = NULL;
    int n = 0;
    if (yq_matcher_find(rules, folded, len, &matches, &n) == 0)
        for (int i = 0; i < n; i++)
            score[matches[i].tag] += weight;
    free(matches);
}

const char *yq_event_type(const char *folded_title, size_t title_len, const char *folded_body,
                          size_t body_len) {
    pthread_once(&rules_once, build_rules);
    if (!rules) return "other";
    int score[N_TYPES] = {0};
    count_hits(folded_title, title_len, TITLE_WEIGHT, score);
    count_hits(folded_body, body_len, 1, score);
    int best = -1;
    for (int type = 0; type < N_TYPES; type++)
        if (score[type] >= MIN_SCORE && (best < 0 || score[type] > score[best])) best = type;
    return yq_event_types[best < 0 ? N_TYPES : best];
}

/* One pass after crawling: analyse new items, evaluate alerts, refresh the report. */
#include <cjson/cJSON.h>
#include <string.h>

#include "yuqing/alerts.h"
#include "yuqing/error.h"
#include "yuqing/log.h"
#include "yuqing/pipeline.h"
#include "yuqing/report.h"

/* Logs each new alert and hands it to the alert command, if any. */
static int on_alert(void *ctx, const cJSON *alert) {
    const char *command = ctx;
    yq_info("alert: %s", cJSON_GetObjectItem(alert, "message")->valuestring);
    if (command && yq_alert_run_command(command, alert)) yq_warn("%s", yq_last_error());
    return 0;
}

static int refresh_report(const char *db_path, const char *dir) {
    cJSON *data = NULL;
    int rc = yq_report_from_store(db_path, NULL, NULL, &data);
    if (!rc) rc = yq_report_write_dir(data, dir);
    cJSON_Delete(data);
    return rc;
}

int yq_pipeline_pass(const yq_pass_options *o, yq_pass_result *result) {
    memset(result, 0, sizeof *result);
    yq_analyze_options ao = {o->items_path, o->db_path, o->watch, o->analyzer, o->batch_size ? o->batch_size : 256, 0};
    int rc = YQ_OK, analyse = 1;
    if (o->transcriber) { /* media first: an item is analysed once, so only with its transcript */
        const char *table = o->crawl->out_sqlite_table ? o->crawl->out_sqlite_table : "items";
        rc = yq_media_transcribe_pending(o->transcriber, o->items_path, table, o->crawl, &ao.items_upto,
                                         &result->transcribed);
        analyse = ao.items_upto > 0;
    }
    if (!rc && analyse) rc = yq_analyze_run(&ao, &result->analyze);
    if (!rc) rc = yq_alerts_run(o->db_path, o->watch, on_alert, (void *)o->alert_cmd, &result->new_alerts);
    if (!rc && o->report_dir) rc = refresh_report(o->db_path, o->report_dir);
    return rc;
}

/* `--alert-cmd`: one shell command per new alert, with the alert's JSON on its stdin. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "yuqing/alerts.h"
#include "yuqing/error.h"

int yq_alert_run_command(const char *command, const cJSON *alert) {
    char *json = cJSON_PrintUnformatted(alert);
    if (!json) return yq_error(YQ_ENOMEM, "out of memory");
    void (*previous)(int) = signal(SIGPIPE, SIG_IGN); /* a command that ignores stdin must not kill us */
    FILE *pipe = popen(command, "w");
    int rc = YQ_OK;
    if (!pipe) {
        rc = yq_error(YQ_EIO, "--alert-cmd: cannot run '%s': %s", command, strerror(errno));
    } else {
        fputs(json, pipe);
        fputc('\n', pipe);
        int status = pclose(pipe);
        if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
            rc = yq_error(YQ_EIO, "--alert-cmd '%s' failed (exit status %d)", command,
                          status != -1 && WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    }
    signal(SIGPIPE, previous);
    free(json);
    return rc;
}

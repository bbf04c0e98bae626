/* safetensors parsing and validation (reading) and writing, with cJSON for the header. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "safetensors.h"
#include "yuqing/error.h"

enum { MAX_HEADER_BYTES = 100 * 1024 * 1024 };

static int parse_dtype(const char *name, yq_dtype *dtype) {
    if (!strcmp(name, "F32")) *dtype = YQ_DTYPE_F32;
    else if (!strcmp(name, "F16")) *dtype = YQ_DTYPE_F16;
    else if (!strcmp(name, "BF16")) *dtype = YQ_DTYPE_BF16;
    else return 0;
    return 1;
}

static int known_dtype_size(const char *name) {
    static const struct { const char *name; int size; } sizes[] = {
        {"F64", 8}, {"F32", 4}, {"F16", 2}, {"BF16", 2}, {"I64", 8}, {"I32", 4}, {"I16", 2},
        {"I8", 1},  {"U8", 1},  {"BOOL", 1}, {"U16", 2}, {"U32", 4}, {"U64", 8},
        {"F8_E4M3", 1}, {"F8_E5M2", 1}};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
        if (!strcmp(sizes[i].name, name)) return sizes[i].size;
    return 0;
}

static int parse_tensor(const yq_safetensors *st, const cJSON *entry, const unsigned char *data,
                        size_t data_size, yq_st_tensor *t) {
    const char *path = st->path, *name = entry->string;
    const cJSON *dtype = cJSON_GetObjectItemCaseSensitive(entry, "dtype");
    const cJSON *shape = cJSON_GetObjectItemCaseSensitive(entry, "shape");
    const cJSON *offsets = cJSON_GetObjectItemCaseSensitive(entry, "data_offsets");
    if (!cJSON_IsString(dtype) || !cJSON_IsArray(shape) || !cJSON_IsArray(offsets) ||
        cJSON_GetArraySize(offsets) != 2 || cJSON_GetArraySize(shape) > YQ_ST_MAX_DIMS)
        return yq_error(YQ_EFORMAT, "%s: tensor '%s': bad dtype/shape/data_offsets", path, name);
    t->name = strdup(name);
    if (!t->name) return yq_error(YQ_ENOMEM, "out of memory");
    snprintf(t->dtype_name, sizeof t->dtype_name, "%s", dtype->valuestring);
    t->dtype_supported = parse_dtype(dtype->valuestring, &t->dtype);
    int elem = known_dtype_size(dtype->valuestring);
    if (!elem) return yq_error(YQ_EFORMAT, "%s: tensor '%s': unknown dtype '%s'", path, name, t->dtype_name);
    double numel = 1;
    t->n_dims = cJSON_GetArraySize(shape);
    for (int i = 0; i < t->n_dims; i++) {
        const cJSON *d = cJSON_GetArrayItem(shape, i);
        if (!cJSON_IsNumber(d) || d->valuedouble < 0 || d->valuedouble > 1e15)
            return yq_error(YQ_EFORMAT, "%s: tensor '%s': bad shape", path, name);
        t->shape[i] = (int64_t)d->valuedouble;
        numel *= d->valuedouble;
    }
    double begin = cJSON_GetArrayItem(offsets, 0)->valuedouble;
    double end = cJSON_GetArrayItem(offsets, 1)->valuedouble;
    if (!(begin >= 0 && begin <= end && end <= (double)data_size))
        return yq_error(YQ_EFORMAT, "%s: tensor '%s': data_offsets [%.0f, %.0f] outside the %zu data bytes (truncated file?)",
                        path, name, begin, end, data_size);
    if (end - begin != numel * elem)
        return yq_error(YQ_EFORMAT, "%s: tensor '%s': %.0f bytes do not match shape and dtype %s",
                        path, name, end - begin, t->dtype_name);
    t->data = data + (size_t)begin;
    t->n_bytes = (size_t)(end - begin);
    return YQ_OK;
}

static int parse_header(yq_safetensors *st, const char *json, size_t json_len,
                        const unsigned char *data, size_t data_size) {
    cJSON *root = cJSON_ParseWithLength(json, json_len);
    if (!root || !cJSON_IsObject(root)) {
        cJSON_Delete(root);
        return yq_error(YQ_EFORMAT, "%s: corrupt safetensors header (not a JSON object)", st->path);
    }
    int n = cJSON_GetArraySize(root);
    st->tensors = calloc((size_t)n + 1, sizeof *st->tensors);
    int rc = st->tensors ? YQ_OK : yq_error(YQ_ENOMEM, "out of memory");
    for (const cJSON *e = root->child; e && !rc; e = e->next) {
        if (!strcmp(e->string, "__metadata__")) continue;
        if (!cJSON_IsObject(e)) {
            rc = yq_error(YQ_EFORMAT, "%s: tensor '%s' is not an object", st->path, e->string);
            break;
        }
        rc = parse_tensor(st, e, data, data_size, &st->tensors[st->n_tensors]);
        st->n_tensors++;
    }
    cJSON_Delete(root);
    return rc;
}

int yq_safetensors_open(const char *path, yq_safetensors *out) {
    memset(out, 0, sizeof *out);
    out->path = strdup(path);
    if (!out->path) return yq_error(YQ_ENOMEM, "out of memory");
    int rc = yq_map_file(path, &out->file);
    if (rc) goto fail;
    const unsigned char *p = out->file.data;
    if (out->file.size < 8) {
        rc = yq_error(YQ_EFORMAT, "%s: truncated safetensors file (%zu bytes, no header)", path, out->file.size);
        goto fail;
    }
    uint64_t header_len = 0;
    for (int i = 7; i >= 0; i--) header_len = header_len << 8 | p[i];
    if (header_len > out->file.size - 8 || header_len > MAX_HEADER_BYTES) {
        rc = yq_error(YQ_EFORMAT, "%s: safetensors header length %llu exceeds the file (%zu bytes): truncated or corrupt",
                      path, (unsigned long long)header_len, out->file.size);
        goto fail;
    }
    rc = parse_header(out, (const char *)p + 8, (size_t)header_len, p + 8 + header_len,
                      out->file.size - 8 - (size_t)header_len);
    if (!rc) return YQ_OK;
fail:
    yq_safetensors_close(out);
    return rc;
}

void yq_safetensors_close(yq_safetensors *st) {
    for (int i = 0; i < st->n_tensors; i++) free(st->tensors[i].name);
    free(st->tensors);
    free(st->path);
    yq_unmap_file(&st->file);
    memset(st, 0, sizeof *st);
}

const yq_st_tensor *yq_safetensors_find(const yq_safetensors *st, const char *name) {
    for (int i = 0; i < st->n_tensors; i++)
        if (!strcmp(st->tensors[i].name, name)) return &st->tensors[i];
    return NULL;
}

static char *build_header(const yq_st_tensor *tensors, int n, size_t *len) {
    cJSON *root = cJSON_CreateObject();
    size_t offset = 0;
    for (int i = 0; i < n; i++) {
        cJSON *e = cJSON_AddObjectToObject(root, tensors[i].name);
        cJSON_AddStringToObject(e, "dtype", yq_dtype_name(tensors[i].dtype));
        cJSON *shape = cJSON_AddArrayToObject(e, "shape");
        for (int d = 0; d < tensors[i].n_dims; d++)
            cJSON_AddItemToArray(shape, cJSON_CreateNumber((double)tensors[i].shape[d]));
        cJSON *offs = cJSON_AddArrayToObject(e, "data_offsets");
        cJSON_AddItemToArray(offs, cJSON_CreateNumber((double)offset));
        offset += tensors[i].n_bytes;
        cJSON_AddItemToArray(offs, cJSON_CreateNumber((double)offset));
    }
    char *json = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    if (!json) return NULL;
    size_t n_json = strlen(json), padded = (n_json + 7) / 8 * 8;
    char *out = realloc(json, padded + 1);
    if (!out) {
        free(json);
        return NULL;
    }
    memset(out + n_json, ' ', padded - n_json);
    out[padded] = '\0';
    *len = padded;
    return out;
}

int yq_safetensors_write(const char *path, const yq_st_tensor *tensors, const void *const *data,
                         int n_tensors) {
    size_t header_len;
    char *header = build_header(tensors, n_tensors, &header_len);
    if (!header) return yq_error(YQ_ENOMEM, "out of memory");
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "wb");
    if (!f) {
        free(header);
        return yq_error(YQ_EIO, "%s: cannot create", tmp);
    }
    unsigned char len_bytes[8];
    for (int i = 0; i < 8; i++) len_bytes[i] = (unsigned char)((uint64_t)header_len >> (8 * i));
    int ok = fwrite(len_bytes, 1, 8, f) == 8 && fwrite(header, 1, header_len, f) == header_len;
    for (int i = 0; i < n_tensors && ok; i++)
        ok = fwrite(data[i], 1, tensors[i].n_bytes, f) == tensors[i].n_bytes;
    free(header);
    if (fclose(f) != 0 || !ok || rename(tmp, path) != 0) {
        remove(tmp);
        return yq_error(YQ_EIO, "%s: write failed", path);
    }
    return YQ_OK;
}

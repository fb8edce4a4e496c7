/* tests/abi/urestore_jni.c — the JNI glue between tests/abi/UrestoreFs.java and liburestore: one native
 * method per library call (client from options, a blocking batch copy that fills per-task result arrays,
 * cancel from any thread, destroy, status names). It makes no JNI call while urestore_copy() runs, so a
 * cancel from another Java thread only touches the library. Built by tests/e2e/test_lib_jni.sh. */
#include <jni.h>
#include <stdlib.h>
#include <string.h>

#include <urestore.h>

/* A Java string as a malloc'd C string (modified UTF-8, as JNI gives it); NULL for null. */
static char *s_cstr(JNIEnv *env, jstring s)
{
    if (!s) return NULL;
    const char *u = (*env)->GetStringUTFChars(env, s, NULL);
    if (!u) return NULL;
    char *c = strdup(u);
    (*env)->ReleaseStringUTFChars(env, s, u);
    return c;
}

JNIEXPORT jlong JNICALL Java_UrestoreFs_nativeNew(JNIEnv *env, jclass cls, jstring endpoint, jstring region,
                                                  jstring access_key, jstring secret_key, jstring ca_bundle,
                                                  jobjectArray err_out)
{
    (void)cls;
    char *ep = s_cstr(env, endpoint), *rg = s_cstr(env, region), *ak = s_cstr(env, access_key),
         *sk = s_cstr(env, secret_key), *ca = s_cstr(env, ca_bundle);
    struct urestore_options o;
    memset(&o, 0, sizeof(o));
    o.struct_size = sizeof(o);
    o.endpoint_url = ep;
    o.region = rg;
    o.access_key_id = ak;
    o.secret_access_key = sk;
    o.ca_bundle = ca;
    o.retry_count = URESTORE_NO_RETRIES;
#ifdef URESTORE_IO_EPOLL
    const char *io = getenv("URESTORE_IO_BACKEND"); /* the backend under test (tests/e2e/lib.sh) */
    o.io_backend = io && !strcmp(io, "epoll") ? URESTORE_IO_EPOLL : URESTORE_IO_AUTO;
#endif
    urestore_client *c = NULL;
    char err[256] = "";
    urestore_status st = urestore_client_new(&o, &c, err, sizeof(err));
    if (sk) memset(sk, 0, strlen(sk));
    free(ep), free(rg), free(ak), free(sk), free(ca);
    if (st != URESTORE_OK) {
        (*env)->SetObjectArrayElement(env, err_out, 0, (*env)->NewStringUTF(env, err[0] ? err : "error"));
        return 0;
    }
    return (jlong)(intptr_t)c;
}

JNIEXPORT jint JNICALL Java_UrestoreFs_nativeCopy(JNIEnv *env, jclass cls, jlong handle, jobjectArray sources,
                                                  jobjectArray destinations, jlongArray sizes,
                                                  jintArray statuses, jlongArray bytes, jobjectArray messages)
{
    (void)cls;
    urestore_client *c = (urestore_client *)(intptr_t)handle;
    jsize n = (*env)->GetArrayLength(env, sources);
    struct urestore_task *tasks = calloc((size_t)n + 1, sizeof(*tasks));
    struct urestore_result *res = calloc((size_t)n + 1, sizeof(*res));
    jlong *hint = calloc((size_t)n + 1, sizeof(*hint));
    if (!tasks || !res || !hint) {
        free(tasks), free(res), free(hint);
        return URESTORE_E_NOMEM;
    }
    (*env)->GetLongArrayRegion(env, sizes, 0, n, hint);
    for (jsize i = 0; i < n; i++) {
        jstring src = (jstring)(*env)->GetObjectArrayElement(env, sources, i);
        jstring dst = (jstring)(*env)->GetObjectArrayElement(env, destinations, i);
        tasks[i].source = s_cstr(env, src);
        tasks[i].destination = s_cstr(env, dst);
        (*env)->DeleteLocalRef(env, src); /* a batch may hold more strings than JNI's 16 local refs */
        (*env)->DeleteLocalRef(env, dst);
        tasks[i].size_hint = hint[i] >= 0 ? hint[i] : -1;
    }
    urestore_status st = urestore_copy(c, tasks, (size_t)n, res, NULL);
    for (jsize i = 0; i < n; i++) {
        jint s = (jint)res[i].status;
        jlong b = (jlong)res[i].bytes;
        (*env)->SetIntArrayRegion(env, statuses, i, 1, &s);
        (*env)->SetLongArrayRegion(env, bytes, i, 1, &b);
        jstring m = (*env)->NewStringUTF(env, res[i].message);
        (*env)->SetObjectArrayElement(env, messages, i, m);
        (*env)->DeleteLocalRef(env, m);
        free((char *)tasks[i].source);
        free((char *)tasks[i].destination);
    }
    free(tasks), free(res), free(hint);
    return (jint)st;
}

JNIEXPORT void JNICALL Java_UrestoreFs_nativeCancel(JNIEnv *env, jclass cls, jlong handle)
{
    (void)env, (void)cls;
    urestore_cancel((urestore_client *)(intptr_t)handle);
}

JNIEXPORT void JNICALL Java_UrestoreFs_nativeDestroy(JNIEnv *env, jclass cls, jlong handle)
{
    (void)env, (void)cls;
    urestore_client_destroy((urestore_client *)(intptr_t)handle);
}

JNIEXPORT jstring JNICALL Java_UrestoreFs_nativeStatusName(JNIEnv *env, jclass cls, jint status)
{
    (void)cls;
    return (*env)->NewStringUTF(env, urestore_status_str((urestore_status)status));
}

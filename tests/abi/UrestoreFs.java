// tests/abi/UrestoreFs.java — liburestore called from the JVM through JNI (tests/abi/urestore_jni.c), in the
// shape of Flink's PathsCopyingFileSystem.copyFiles(List<CopyRequest>, ICloseableRegistry): a batch of
// (source, destination, size) requests copied in one blocking call, cancelled by closing the registry from
// another thread. main() is the test driver of tests/e2e/test_lib_jni.sh; it prints one line per check and
// exits 0 when all held, 1 otherwise.
//
//   java -Djava.library.path=DIR UrestoreFs ENDPOINT CA_FILE BUCKET OUT_DIR N_SMALL
//   (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION from the environment; objects BUCKET/jni/small/fI
//   for I < N_SMALL and BUCKET/jni/big must exist)

import java.io.Closeable;
import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

public final class UrestoreFs implements AutoCloseable {
    static {
        System.loadLibrary("urestore_jni");
    }

    static final int OK = 0, CANCELLED = 8; // urestore_status values (stable, urestore.h)

    /** Flink's PathsCopyingFileSystem.CopyRequest: what copyFiles reads of it. */
    public static final class CopyRequest {
        final String source, destination;
        final long size;

        CopyRequest(String source, String destination, long size) {
            this.source = source;
            this.destination = destination;
            this.size = size;
        }
    }

    /** Flink's ICloseableRegistry, reduced to what copyFiles uses: closing it closes what is registered. */
    public static final class CloseableRegistry implements Closeable {
        private final Set<Closeable> open = ConcurrentHashMap.newKeySet();
        private volatile boolean closed;

        Closeable registerCloseableTemporarily(Closeable c) throws IOException {
            if (closed) {
                throw new IOException("registry already closed");
            }
            open.add(c);
            return () -> open.remove(c);
        }

        @Override
        public void close() throws IOException {
            closed = true;
            for (Closeable c : open) {
                c.close();
            }
        }
    }

    /** One task's outcome, as struct urestore_result. */
    public static final class Result {
        final int status;
        final long bytes;
        final String message;

        Result(int status, long bytes, String message) {
            this.status = status;
            this.bytes = bytes;
            this.message = message;
        }
    }

    private long handle;
    Result[] lastResults = new Result[0];

    UrestoreFs(String endpoint, String region, String accessKey, String secretKey, String caBundle)
            throws IOException {
        String[] err = new String[1];
        handle = nativeNew(endpoint, region, accessKey, secretKey, caBundle, err);
        if (handle == 0) {
            throw new IOException("urestore_client_new: " + err[0]);
        }
    }

    /**
     * Copies every request, as Flink's copyFiles: throws IOException when any copy failed (or was
     * cancelled because the registry was closed); the per-file results are in lastResults either way.
     */
    public void copyFiles(List<CopyRequest> requests, CloseableRegistry registry) throws IOException {
        int n = requests.size();
        String[] src = new String[n], dst = new String[n], messages = new String[n];
        long[] sizes = new long[n], bytes = new long[n];
        int[] statuses = new int[n];
        for (int i = 0; i < n; i++) {
            src[i] = requests.get(i).source;
            dst[i] = requests.get(i).destination;
            sizes[i] = requests.get(i).size;
        }
        int st;
        Closeable registration = registry.registerCloseableTemporarily(() -> nativeCancel(handle));
        try {
            st = nativeCopy(handle, src, dst, sizes, statuses, bytes, messages);
        } finally {
            registration.close();
        }
        lastResults = new Result[n];
        for (int i = 0; i < n; i++) {
            lastResults[i] = new Result(statuses[i], bytes[i], messages[i]);
        }
        if (st != OK) {
            for (int i = 0; i < n; i++) {
                if (statuses[i] != OK) {
                    throw new IOException("copy of " + src[i] + " failed: " + nativeStatusName(statuses[i]) + ": "
                            + messages[i]);
                }
            }
            throw new IOException("copy failed: " + nativeStatusName(st));
        }
    }

    @Override
    public void close() {
        if (handle != 0) {
            nativeDestroy(handle);
            handle = 0;
        }
    }

    private static native long nativeNew(String endpoint, String region, String accessKey, String secretKey,
            String caBundle, String[] errOut);

    private static native int nativeCopy(long handle, String[] sources, String[] destinations, long[] sizes,
            int[] statuses, long[] bytes, String[] messages);

    private static native void nativeCancel(long handle);

    private static native void nativeDestroy(long handle);

    static native String nativeStatusName(int status);

    // ---------------------------------------------------------------------------------------------------
    // the test driver

    private static int failures;

    private static void check(boolean ok, String what) {
        System.out.println((ok ? "PASS " : "FAIL ") + what);
        if (!ok) {
            failures++;
        }
    }

    private static boolean hasTempFile(File dir) {
        String[] names = dir.list();
        if (names == null) {
            return false;
        }
        for (String name : names) {
            if (name.startsWith(".") && name.contains(".urestore-")) {
                return true;
            }
        }
        return false;
    }

    /** Whether this process has a file below dir open: the copy is writing there. Unnamed (O_TMPFILE) files
     *  count too: their /proc link reads "DIR/#INODE (deleted)". */
    private static boolean writingUnder(File dir) {
        String prefix = dir.getAbsolutePath() + "/";
        File[] fds = new File("/proc/self/fd").listFiles();
        if (fds == null) {
            return false;
        }
        for (File fd : fds) {
            try {
                if (java.nio.file.Files.readSymbolicLink(fd.toPath()).toString().startsWith(prefix)) {
                    return true;
                }
            } catch (IOException | UnsupportedOperationException e) {
                // closed meanwhile, or not a link: not ours
            }
        }
        return false;
    }

    private static UrestoreFs client(String endpoint, String ca) throws IOException {
        return new UrestoreFs(endpoint, System.getenv("AWS_REGION"), System.getenv("AWS_ACCESS_KEY_ID"),
                System.getenv("AWS_SECRET_ACCESS_KEY"), ca);
    }

    public static void main(String[] args) throws Exception {
        String endpoint = args[0], ca = args[1], bucket = args[2], out = args[3];
        int nSmall = Integer.parseInt(args[4]);

        try (UrestoreFs fs = client(endpoint, ca)) {
            // 1. A batch copied whole.
            List<CopyRequest> batch = new ArrayList<>();
            for (int i = 0; i < nSmall; i++) {
                batch.add(new CopyRequest("s3://" + bucket + "/jni/small/f" + i, out + "/b1/f" + i, -1));
            }
            boolean threw = false;
            try {
                fs.copyFiles(batch, new CloseableRegistry());
            } catch (IOException e) {
                threw = true;
                System.out.println("batch 1: " + e.getMessage());
            }
            check(!threw, "batch 1: copyFiles of " + nSmall + " files returns normally");
            int ok = 0;
            for (Result r : fs.lastResults) {
                ok += r.status == OK ? 1 : 0;
            }
            check(ok == nSmall, "batch 1: " + ok + " of " + nSmall + " results are OK");

            // 2. A batch of large files cancelled from another thread by closing the registry.
            List<CopyRequest> big = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                big.add(new CopyRequest("s3a://" + bucket + "/jni/big", out + "/b2/big" + i, -1));
            }
            CloseableRegistry registry = new CloseableRegistry();
            AtomicLong cancelledAt = new AtomicLong();
            File b2 = new File(out, "b2");
            Thread canceller = new Thread(() -> {
                try {
                    long deadline = System.nanoTime() + 20_000_000_000L;
                    while (!writingUnder(b2) && System.nanoTime() < deadline) {
                        Thread.sleep(5);
                    }
                    Thread.sleep(100); // well into the bodies
                    cancelledAt.set(System.nanoTime());
                    registry.close();
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }, "flink-canceller");
            canceller.start();
            threw = false;
            try {
                fs.copyFiles(big, registry);
            } catch (IOException e) {
                threw = true;
                System.out.println("batch 2: " + e.getMessage());
            }
            long returnedAt = System.nanoTime();
            canceller.join();
            long latencyMs = (returnedAt - cancelledAt.get()) / 1_000_000;
            System.out.println("batch 2: copyFiles returned " + latencyMs + " ms after the cancel");
            check(cancelledAt.get() != 0 && threw, "batch 2: copyFiles throws once the registry is closed");
            check(latencyMs >= 0 && latencyMs <= 500, "batch 2: returns within 500 ms of the cancel (" + latencyMs
                    + " ms)");
            int cancelled = 0, other = 0;
            for (int i = 0; i < fs.lastResults.length; i++) {
                Result r = fs.lastResults[i];
                if (r.status == CANCELLED) {
                    cancelled++;
                } else if (r.status != OK) {
                    other++;
                    System.out.println("batch 2: big" + i + ": " + nativeStatusName(r.status) + ": " + r.message);
                }
            }
            check(cancelled >= 1 && other == 0, "batch 2: " + cancelled + " results cancelled, the rest OK");
            check(!hasTempFile(b2), "batch 2: no temporary file left");

            // 3. The same client copies again after a cancelled batch.
            threw = false;
            try {
                fs.copyFiles(List.of(new CopyRequest("s3://" + bucket + "/jni/small/f0", out + "/b3/f0", -1)),
                        new CloseableRegistry());
            } catch (IOException e) {
                threw = true;
                System.out.println("batch 3: " + e.getMessage());
            }
            check(!threw, "batch 3: the client works again after a cancelled batch");
        }

        // 4. Two clients in two threads at once.
        Thread[] threads = new Thread[2];
        boolean[] good = new boolean[2];
        for (int t = 0; t < 2; t++) {
            final int id = t;
            threads[t] = new Thread(() -> {
                try (UrestoreFs fs = client(endpoint, ca)) {
                    List<CopyRequest> batch = new ArrayList<>();
                    for (int i = 0; i < nSmall; i++) {
                        batch.add(new CopyRequest("s3://" + bucket + "/jni/small/f" + i, out + "/t" + id + "/f" + i,
                                -1));
                    }
                    fs.copyFiles(batch, new CloseableRegistry());
                    good[id] = true;
                } catch (IOException e) {
                    System.out.println("thread " + id + ": " + e.getMessage());
                }
            });
            threads[t].start();
        }
        for (Thread t : threads) {
            t.join();
        }
        check(good[0] && good[1], "batch 4: two clients in two threads both complete");

        System.out.println(failures == 0 ? "ALL PASS" : failures + " FAILED");
        System.exit(failures == 0 ? 0 : 1);
    }
}

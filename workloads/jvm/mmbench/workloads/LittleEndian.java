// 64-bit words of a byte array in little-endian order: what the C++ workloads
// read and write with memcpy on x86-64, so byte payloads hash the same.
package mmbench.workloads;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

final class LittleEndian {
  private static final VarHandle WORD =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  private LittleEndian() {}

  static long get(byte[] b, int offset) {
    return (long) WORD.get(b, offset);
  }

  static void put(byte[] b, int offset, long value) {
    WORD.set(b, offset, value);
  }
}

// A growable byte string, the C++ workloads' std::string: appended to in
// pieces, reallocated (doubling) as it grows.
package mmbench.workloads;

import java.util.Arrays;

final class ByteString {
  private static final byte[] EMPTY = new byte[0];
  private byte[] data = EMPTY;
  private int size = 0;

  int size() {
    return size;
  }

  byte[] data() {
    return data;
  }

  private void reserve(int n) {
    if (n <= data.length) return;
    data = Arrays.copyOf(data, Math.max(n, Math.max(15, 2 * data.length)));
  }

  void append(byte[] src, int offset, int n) {
    reserve(size + n);
    System.arraycopy(src, offset, data, size, n);
    size += n;
  }

  void append(byte b) {
    reserve(size + 1);
    data[size++] = b;
  }

  void resize(int n) {
    reserve(n);
    if (n > size) Arrays.fill(data, size, n, (byte) 0);
    size = n;
  }
}

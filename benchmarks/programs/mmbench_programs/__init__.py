"""The programs worker: Debian's own programs run under each allocator, verified
per process, with the worker contract of the C++ workers (docs/programs.md)."""

#include <cstdio>
int main() { std::puts("stratus " STRATUS_VERSION); return 0; }

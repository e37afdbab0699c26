// berth: a thin main over the host core library (host/core).
#include "core/host.h"

int main(int argc, char** argv) { return berth::host::Main(argc, argv); }

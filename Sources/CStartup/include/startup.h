#ifndef HTSR_STARTUP_H
#define HTSR_STARTUP_H
/// Referenced from Swift so the linker keeps the object holding the .preinit_array entry.
int htsr_startup_linked(void);
#endif

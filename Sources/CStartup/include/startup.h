#ifndef HTSR_STARTUP_H
#define HTSR_STARTUP_H
/// Referenced from Swift so the linker keeps the object holding the start-up constructor.
int htsr_startup_linked(void);
#endif

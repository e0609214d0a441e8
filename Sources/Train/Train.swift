// Train module: the CPU training engine and the TempBalance policy.

// pushgate command line: placeholder until the gate is wired.
int main() { return 0; }

print("htsr")

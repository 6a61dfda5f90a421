from closedstacks.cli import main

main()

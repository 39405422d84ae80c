from silkway.cli import main

main()

import sys

from gdplay.app import main

sys.exit(main())
